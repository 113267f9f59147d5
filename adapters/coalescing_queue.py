"""An EventQueue decorator: the events of `publish` calls made within a short window go out as
one message of the queue it wraps (for Redis, one XADD instead of one per POST).

The first call opens a window of `window` seconds; calls made during it join (the window closes
early once `max_events` events wait). Then one `publish` of every event, in call order, and each
call returns, or raises the error, of that one publish: a caller that returns knows its events
are durably queued, exactly as without coalescing.
"""

import asyncio
from collections.abc import Sequence

from application.ports import EventQueue
from domain.events import GradeEvent


class CoalescingEventQueue:
    def __init__(self, queue: EventQueue, *, window: float = 0.002, max_events: int = 256) -> None:
        if window < 0 or max_events < 1:
            raise ValueError("window must be >= 0 and max_events positive")
        self._queue = queue
        self._window = window
        self._max_events = max_events
        self._events: list[GradeEvent] = []
        self._published: asyncio.Future[None] | None = None
        self._full = asyncio.Event()
        self._publishing: set[asyncio.Task[None]] = set()

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        if not events:
            return
        if self._window == 0:
            await self._queue.publish(events)
            return
        published = self._published
        if published is None:
            published = self._published = asyncio.get_running_loop().create_future()
            self._full.clear()
            task = asyncio.create_task(
                self._publish_after_window(published), name="coalesced-publish"
            )
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)
        self._events.extend(events)
        if len(self._events) >= self._max_events:
            self._full.set()
        # shield: a caller that gives up must not cancel the publish the others wait for.
        await asyncio.shield(published)

    async def _publish_after_window(self, published: "asyncio.Future[None]") -> None:
        try:
            try:
                async with asyncio.timeout(self._window):
                    await self._full.wait()
            except TimeoutError:
                pass
            events, self._events, self._published = self._events, [], None
            await self._queue.publish(events)
        except Exception as e:  # noqa: BLE001 - every caller gets it
            published.set_exception(e)
            published.exception()  # retrieved: asyncio must not report it as lost
        except BaseException:
            if self._published is published:
                self._events, self._published = [], None
            published.cancel()  # the callers learn that their events were not queued
            raise
        else:
            published.set_result(None)
