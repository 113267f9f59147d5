"""An EventQueue decorator: the events of `publish` calls made within a short window go out as
one message of the queue it wraps (for Redis, one XADD instead of one per POST).

The first call opens a window of `window` seconds; calls made during it join (the window closes
early once `max_events` events wait). Then one `publish` of every event, in call order, and each
call returns, or raises the error, of that one publish: a caller that returns knows its events
are durably queued, exactly as without coalescing. See `window` for the batching itself.
"""

from collections.abc import Sequence

from adapters.queue.window import BatchingWindow
from application.ports import EventQueue
from domain.events import GradeEvent


class CoalescingEventQueue:
    def __init__(self, queue: EventQueue, *, window: float, max_events: int) -> None:
        self._queue = queue
        self._direct = window == 0
        self._window: BatchingWindow[GradeEvent, None] = BatchingWindow(
            queue.publish, linger=window, max_size=max_events
        )

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        if not events:
            return
        if self._direct:
            await self._queue.publish(events)
            return
        await self._window(events)
