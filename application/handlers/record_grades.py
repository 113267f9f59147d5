"""Record queued events: the worker's use case. One transaction for the whole batch.

An event whose id is already held for a grade that says something else (a sender reusing an id,
past the window in which the API would have refused it) is never dropped silently: it is left
out of the batch and returned in `Recorded.reused`, for the caller to put where a person sees it
(the worker dead-letters it). With `RecordGrades.all_or_none`, such an event refuses the whole
batch instead (ReusedEventId), as a write answered at once must.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.commands import RecordGrades
from application.ports import UnitOfWork
from domain.errors import ReusedEventId
from domain.events import CourseGraded, GradeEvent, TaskGraded, says_the_same


@dataclass(frozen=True, slots=True)
class Recorded:
    changed: int  # events that changed any statistic (duplicates do not)
    reused: tuple[GradeEvent, ...] = ()  # left out: their id names another grade


class RecordGradesHandler:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, command: RecordGrades) -> Recorded:
        """Apply every event but those reusing an id, in one transaction."""
        grades = [e for e in command.events if isinstance(e, CourseGraded | TaskGraded)]
        async with self._uow() as uow:
            reused_ids = _differing_in_batch(grades) | await uow.grades.reused_ids(grades)
            if reused_ids and command.all_or_none:
                raise ReusedEventId(sorted(reused_ids), in_flight=False)
            kept = [e for e in command.events if e.event_id not in reused_ids]
            changed = await uow.grades.record(kept) if kept else 0
            await uow.commit()
        reused = tuple(e for e in command.events if e.event_id in reused_ids)
        return Recorded(changed, reused)


def _differing_in_batch(grades: Sequence[CourseGraded | TaskGraded]) -> set[uuid.UUID]:
    """Ids given to two grades that say different things within the batch itself."""
    first: dict[uuid.UUID, CourseGraded | TaskGraded] = {}
    differing = set()
    for grade in grades:
        seen = first.setdefault(grade.event_id, grade)
        if not says_the_same(seen, grade):
            differing.add(grade.event_id)
    return differing
