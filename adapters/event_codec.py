"""Grade events as queue messages: plain JSON-able dicts, exact grades as decimal strings.

Decoding validates every field again, so a message that is not ours or was corrupted is
rejected here (and dead-lettered by the worker) instead of reaching the store.
"""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, TypeAdapter

from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded
from domain.values import parse_course_id, parse_grade, parse_task_id


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID
    student_id: uuid.UUID
    course_id: str
    grade: Decimal
    on_time: StrictBool
    graded_at: AwareDatetime
    accepted_at: AwareDatetime


class CourseGradeMessage(_Message):
    kind: Literal["course_grade"]

    def to_event(self) -> CourseGraded:
        return CourseGraded(
            self.event_id,
            self.student_id,
            parse_course_id(self.course_id),
            parse_grade(self.grade),
            self.on_time,
            self.graded_at,
            self.accepted_at,
        )


class TaskGradeMessage(_Message):
    kind: Literal["task_grade"]
    task_id: str

    def to_event(self) -> TaskGraded:
        return TaskGraded(
            self.event_id,
            self.student_id,
            parse_course_id(self.course_id),
            parse_task_id(self.task_id),
            parse_grade(self.grade),
            self.on_time,
            self.graded_at,
            self.accepted_at,
        )


class StudentErasedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["student_erased"]
    event_id: uuid.UUID
    student_id: uuid.UUID
    accepted_at: AwareDatetime

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
