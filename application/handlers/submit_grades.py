"""Accept grades from the platform: queue them as events, all of them or none.

The commands arrive typed and held to the domain's rules by the edge that read them, at the same
`now` that is given here, so that a grade's "not in the future" and its acceptance time agree.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from application.commands import SubmitCourseGrade, SubmitGrade
from application.ports import EventQueue
from domain.events import CourseGraded, GradeEvent, TaskGraded


class SubmitGrades:
    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue

    async def __call__(self, commands: Sequence[SubmitGrade], now: datetime) -> list[uuid.UUID]:
        """Queue the commands' events, accepted at `now`; their event ids."""
        events = [to_event(command, now) for command in commands]
        await self._queue.publish(events)
        return [event.event_id for event in events]


def to_event(command: SubmitGrade, now: datetime) -> GradeEvent:
    """The event a command stands for, accepted at `now` (also its graded_at when it has none)."""
    event_id = command.event_id or uuid.uuid4()
    graded_at = command.graded_at or now
    if isinstance(command, SubmitCourseGrade):
        return CourseGraded(
            event_id, command.student_id, command.course_id, command.grade, command.on_time,
            graded_at, now,
        )
    return TaskGraded(
        event_id, command.student_id, command.course_id, command.task_id, command.grade,
        command.on_time, graded_at, now,
    )
