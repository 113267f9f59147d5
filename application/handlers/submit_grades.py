"""Accept grades from the platform: validate them against the domain and queue them."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from application.commands import SubmitCourseGrade, SubmitGrade, SubmitTaskGrade
from application.ports import Clock, EventQueue
from domain.errors import ErrorCollector, FieldError, InvalidInput
from domain.events import CourseGraded, GradeEvent, TaskGraded
from domain.values import (
    parse_course_id,
    parse_grade,
    parse_graded_at,
    parse_student_id,
    parse_task_id,
)


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
