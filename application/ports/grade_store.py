from typing import Protocol

from domain.events import CourseGraded, TaskGraded


class GradeStore(Protocol):
    """The write side. Each call is idempotent on the event id."""

    async def add_course_grade(self, event: CourseGraded) -> bool:
        """Record a course-level grade; False when this event id was recorded before."""
        ...

    async def apply_task_grade(self, event: TaskGraded) -> bool:
        """Make `event` the slot's current grade if it supersedes the current one.

        False when the event id was seen before or a more recent grade holds the slot.
        """
        ...
