"""Record queued events: the worker's use case. One transaction for the whole batch."""

from collections.abc import Callable

from application.commands import RecordGrades
from application.ports import UnitOfWork


class RecordGradesHandler:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, command: RecordGrades) -> int:
        """Apply every event; returns how many changed the statistics (duplicates do not)."""
        async with self._uow() as uow:
            changed = await uow.grades.record(command.events)
            await uow.commit()
        return changed
