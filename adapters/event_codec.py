"""Grade events as queue messages: plain JSON-able dicts, exact grades as decimal strings.

Decoding holds every field to the domain's own rules again (`domain.values`, the rules the API
read the grade by), so a message that is not ours or was corrupted is rejected here (and
dead-lettered by the worker) instead of reaching the store.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter

from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded
from domain.values import (
    CourseId,
    StudentId,
    TaskId,
    parse_course_id,
    parse_event_id,
    parse_grade,
    parse_moment,
    parse_on_time,
    parse_student_id,
    parse_task_id,
)

T = TypeVar("T")


def _rule(parse: Callable[[object], T]) -> PlainValidator:
    return PlainValidator(lambda raw: parse(raw))


def _grade(raw: object) -> Decimal:
    """A grade travels as its exact decimal text. Its places are not limited: a message queued
    before the API limited them is still a valid event."""
    if isinstance(raw, str):
        try:
            raw = Decimal(raw)
        except InvalidOperation:
            pass
    return parse_grade(raw, max_places=None)


Id = Annotated[StudentId, _rule(parse_event_id)]
Student = Annotated[StudentId, _rule(parse_student_id)]
Moment = Annotated[datetime, _rule(parse_moment)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Id
    student_id: Student
    course_id: Annotated[CourseId, _rule(parse_course_id)]
    grade: Annotated[Decimal, _rule(_grade)]
    on_time: Annotated[bool, _rule(parse_on_time)]
    graded_at: Moment
    accepted_at: Moment


class CourseGradeMessage(_Message):
    kind: Literal["course_grade"]

    def to_event(self) -> CourseGraded:
        return CourseGraded(
            self.event_id, self.student_id, self.course_id, self.grade, self.on_time,
            self.graded_at, self.accepted_at,
        )


class TaskGradeMessage(_Message):
    kind: Literal["task_grade"]
    task_id: Annotated[TaskId, _rule(parse_task_id)]

    def to_event(self) -> TaskGraded:
        return TaskGraded(
            self.event_id, self.student_id, self.course_id, self.task_id, self.grade,
            self.on_time, self.graded_at, self.accepted_at,
        )


class StudentErasedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["student_erased"]
    event_id: Id
    student_id: Student
    accepted_at: Moment

    def to_event(self) -> StudentErased:
        return StudentErased(self.event_id, self.student_id, self.accepted_at)


_messages = TypeAdapter(
    list[
        Annotated[
            CourseGradeMessage | TaskGradeMessage | StudentErasedMessage,
            Field(discriminator="kind"),
        ]
    ]
)


def encode(events: Sequence[GradeEvent]) -> list[dict[str, Any]]:
    return [_encode_one(e) for e in events]


def _encode_one(event: GradeEvent) -> dict[str, Any]:
    if isinstance(event, StudentErased):
        return {
            "kind": "student_erased",
            "event_id": str(event.event_id),
            "student_id": str(event.student_id),
            "accepted_at": event.accepted_at.isoformat(),
        }
    message: dict[str, Any] = {
        "kind": "course_grade" if isinstance(event, CourseGraded) else "task_grade",
        "event_id": str(event.event_id),
        "student_id": str(event.student_id),
        "course_id": event.course_id,
        "grade": str(event.grade),
        "on_time": event.on_time,
        "graded_at": event.graded_at.isoformat(),
        "accepted_at": event.accepted_at.isoformat(),
    }
    if isinstance(event, TaskGraded):
        message["task_id"] = event.task_id
    return message


def decode(payload: object) -> list[GradeEvent]:
    """Events from a message payload; raises ValueError (pydantic's ValidationError or the
    domain's InvalidInput) if it is not a list of valid events."""
    return [message.to_event() for message in _messages.validate_python(payload)]
