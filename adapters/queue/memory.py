from collections.abc import Awaitable, Callable, Sequence

from domain.events import GradeEvent


class InMemoryEventQueue:
    """Holds published events until `deliver` hands them to a consumer, in publication order."""

    def __init__(self) -> None:
        self.pending: list[GradeEvent] = []

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        self.pending.extend(events)

    async def deliver(self, consume: Callable[[Sequence[GradeEvent]], Awaitable[object]]) -> int:
        events, self.pending = self.pending, []
        if events:
            await consume(events)
        return len(events)
