"""Record queued events: the worker's use case. One transaction for the whole batch."""

from collections.abc import Callable

from application.commands import RecordGrades
from application.ports import UnitOfWork
from domain.events import CourseGraded


class RecordGradesHandler:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, command: RecordGrades) -> int:
        """Apply every event; returns how many changed the statistics (duplicates do not)."""
        changed = 0
        async with self._uow() as uow:
            for event in command.events:
                if isinstance(event, CourseGraded):
                    changed += await uow.grades.add_course_grade(event)
                else:
                    changed += await uow.grades.apply_task_grade(event)
            await uow.commit()
        return changed
