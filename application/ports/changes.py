"""What changed: after each commit of recorded grades, the courses and students whose statistics
it may have changed, heard by every process that reads them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from domain.values import CourseId, StudentId


@dataclass(frozen=True, slots=True)
class Change:
    """A committed transaction changed (at most) the statistics of these courses and students:
    any statistic read from a course or a student it does not name is what it was before.

    `reset` says instead that anything may have changed (changes may have been missed: the
    feed reconnected, or a subscriber fell too far behind): forget whatever was derived from
    earlier reads. A change may name more than what actually moved, never less."""

    courses: frozenset[CourseId] = frozenset()
    students: frozenset[StudentId] = frozenset()
    reset: bool = False


RESET = Change(reset=True)


class ChangeSubscription(Protocol):
    """Every change published from its creation on, in commit order as the feed heard them, until
    closed. A subscriber that falls too far behind gets one RESET in place of what it missed, so
    it never holds up others nor grows without bound."""

    def __aiter__(self) -> AsyncIterator[Change]: ...

    async def __anext__(self) -> Change: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ChangeFeed(Protocol):
    """The changes of every committed transaction of recorded grades, delivered after the
    commit (never for a transaction rolled back)."""

    @property
    def listening(self) -> bool:
        """Whether every change is being heard now. While it is not (the connection to the store
        is down), nothing derived from reads may be trusted: changes go unheard. A RESET is
        published when hearing stops and again when it resumes."""
        ...

    def subscribe(self) -> ChangeSubscription:
        """Start receiving changes at once (`with feed.subscribe() as changes: async for ...`)."""
        ...
