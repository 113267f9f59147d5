import uuid
from collections.abc import Sequence
from typing import Protocol

from domain.events import CourseGraded, GradeEvent, TaskGraded


class GradeStore(Protocol):
    """The write side. Recording is idempotent on the event id."""

    async def record(self, events: Sequence[GradeEvent]) -> int:
        """Record events in the current transaction; returns how many changed any statistic.

        A course grade counts once per event id. A task grade becomes its slot's current grade
        only if it supersedes the current one (`domain.events.supersedes`); an event id seen
        before, or an older grade arriving late, changes nothing. A StudentErased removes every
        grade of the student accepted up to its `accepted_at` (course grades and all task-grade
        events, current or not) and leaves a tombstone so that such grades recorded later are
        ignored (`domain.events.erased_by`); it counts as the number of events it removed.
        Events may come in any order, several for the same slot in one call included.
        """
        ...

    async def reused_ids(self, grades: Sequence[CourseGraded | TaskGraded]) -> set[uuid.UUID]:
        """The event ids among `grades` that the store already holds for a grade of the same kind
        that says something else (`domain.events.says_the_same`): a sender reusing an id, never
        a redelivery."""
        ...
