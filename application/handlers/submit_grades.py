"""Accept grades from the platform: validate them against the domain and queue them.

A grade arriving as JSON (a single-grade body, a batch event, an imported row) is read by
`command_from_mapping`, which checks every field at once, its shape and its domain rules alike,
so that one InvalidInput names every bad field with the same message whichever path it came by.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from application.commands import SubmitCourseGrade, SubmitGrade, SubmitTaskGrade
from application.ports import Clock, EventQueue
from domain.errors import ErrorCollector, FieldError, InvalidInput
from domain.events import CourseGraded, GradeEvent, TaskGraded
from domain.values import (
    parse_course_id,
    parse_event_id,
    parse_grade,
    parse_graded_at,
    parse_moment,
    parse_on_time,
    parse_student_id,
    parse_task_id,
)

KINDS = ("course_grade", "task_grade")
T = TypeVar("T")


class SubmitGrades:
    def __init__(self, queue: EventQueue, clock: Clock) -> None:
        self._queue = queue
        self._clock = clock

    async def __call__(
        self, commands: Sequence[SubmitGrade], *, prefix: str = ""
    ) -> list[uuid.UUID]:
        """Validate every command, then queue them all or none.

        `prefix` names the list in error fields (``events`` gives ``events[3].grade``); without it
        field names are bare, as for a single grade.
        """
        now = self._clock.now()
        events: list[GradeEvent] = []
        errors: list[FieldError] = []
        for index, command in enumerate(commands):
            try:
                events.append(to_event(command, now))
            except InvalidInput as invalid:
                where = f"{prefix}[{index}]." if prefix else ""
                errors.extend(FieldError(where + e.field, e.message) for e in invalid.errors)
        if errors:
            raise InvalidInput(errors)
        await self._queue.publish(events)
        return [event.event_id for event in events]


def to_event(command: SubmitGrade, now: datetime) -> GradeEvent:
    """The event a command stands for, accepted at `now`; raises InvalidInput on bad values."""
    check = ErrorCollector()
    student_id = check.check(parse_student_id, command.student_id)
    course_id = check.check(parse_course_id, command.course_id)
    task_id = (
        check.check(parse_task_id, command.task_id)
        if isinstance(command, SubmitTaskGrade)
        else None
    )
    grade = check.check(parse_grade, command.grade)
    graded_at = check.check(parse_graded_at, command.graded_at or now, now)
    check.raise_if_any()
    event_id = command.event_id or uuid.uuid4()
    if isinstance(command, SubmitCourseGrade):
        return CourseGraded(event_id, student_id, course_id, grade, command.on_time, graded_at, now)
    assert task_id is not None
    return TaskGraded(
        event_id, student_id, course_id, task_id, grade, command.on_time, graded_at, now
    )


def command_from_mapping(
    raw: object, now: datetime | None = None, kind: str | None = None
) -> SubmitGrade:
    """One grade of decoded JSON as a command, every field checked in one pass: a missing field
    and a bad value are named together, each with the domain's message.

    `kind` is the mapping's own `kind` field unless given (a single-grade endpoint knows it from
    its path). With `now`, graded_at is also held to the rule `to_event` applies at that moment
    (not in the future). `on_time` defaults to true when left out, but null is no flag; graded_at
    (alias `created_at`) and event_id may be left out or null. Unknown fields are ignored."""
    if not isinstance(raw, Mapping):
        raise InvalidInput.one("kind", "each event must be an object with a kind")
    check = ErrorCollector()
    if kind is None:
        kind = raw.get("kind")
        if kind not in KINDS:
            check.errors.append(FieldError("kind", "must be course_grade or task_grade"))
    _require(check, raw, "student_id", parse_student_id)
    _require(check, raw, "course_id", parse_course_id)
    if kind == "task_grade":
        _require(check, raw, "task_id", parse_task_id)
    _require(check, raw, "grade", parse_grade)
    on_time = check.check(parse_on_time, raw.get("on_time", True))
    moment = "graded_at" if raw.get("graded_at") is not None else "created_at"
    graded_at = _optional(check, raw, moment, parse_moment)
    if graded_at is not None and now is not None:
        check.check(parse_graded_at, graded_at, now, moment)
    event_id = _optional(check, raw, "event_id", parse_event_id)
    check.raise_if_any()
    # The values as given (a grade of 7 stays 7, not 7.0), each known to pass its rule:
    # to_event makes the event of them.
    student_id, course_id, grade = raw["student_id"], raw["course_id"], raw["grade"]
    if kind == "task_grade":
        task_id = raw["task_id"]
        return SubmitTaskGrade(student_id, course_id, task_id, grade, on_time, graded_at, event_id)
    return SubmitCourseGrade(student_id, course_id, grade, on_time, graded_at, event_id)


def _require(
    check: ErrorCollector,
    raw: Mapping[str, object],
    name: str,
    parse: Callable[[object, str], object],
) -> None:
    value = raw.get(name)
    if value is None:
        check.errors.append(FieldError(name, "is required"))
    else:
        check.check(parse, value, name)


def _optional(
    check: ErrorCollector, raw: Mapping[str, object], name: str, parse: Callable[[object, str], T]
) -> T | None:
    value = raw.get(name)
    return None if value is None else check.check(parse, value, name)
