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
        # One future per caller, not one shared and shielded: a caller that gives up cancels
        # only its own, and the per-call cost stays one future.
        self._callers: list[asyncio.Future[None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._publishing: set[asyncio.Task[None]] = set()

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        if not events:
            return
        if self._window == 0:
            await self._queue.publish(events)
            return
        loop = asyncio.get_running_loop()
        queued = loop.create_future()
        self._events.extend(events)
        self._callers.append(queued)
        if len(self._events) >= self._max_events:
            self._close_window()
        elif self._timer is None:
            self._timer = loop.call_later(self._window, self._close_window)
        await queued

    def _close_window(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        events, callers = self._events, self._callers
        self._events, self._callers = [], []
        task = asyncio.create_task(self._publish(events, callers), name="coalesced-publish")
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish(self, events: list[GradeEvent], callers: list["asyncio.Future[None]"]) -> None:
        try:
            await self._queue.publish(events)
        except Exception as e:  # noqa: BLE001 - every caller gets it
            for queued in callers:
                if not queued.done():
                    queued.set_exception(e)
        except BaseException:
            for queued in callers:
                queued.cancel()  # the callers learn that their events were not queued
            raise
        else:
            for queued in callers:
                if not queued.done():
                    queued.set_result(None)
