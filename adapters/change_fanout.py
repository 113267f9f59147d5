"""Handing each change to every subscriber of a process, without one slow subscriber holding up
the others or growing memory: each has a bounded queue, and one that overflows is emptied and
given a single RESET in place of what it missed."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Self

from application.ports.changes import RESET, Change
from domain.values import CourseId, StudentId

MAX_PENDING = 1024  # changes a subscriber may have waiting before they become one RESET


class FanOutSubscription:
    def __init__(self, fan_out: "ChangeFanOut", max_pending: int) -> None:
        self._fan_out = fan_out
        self._pending: asyncio.Queue[Change] = asyncio.Queue(max_pending)
        self._closed = False

    def offer(self, change: Change) -> None:
        try:
            self._pending.put_nowait(change)
        except asyncio.QueueFull:
            while not self._pending.empty():
                self._pending.get_nowait()
            self._pending.put_nowait(RESET)

    @property
    def pending(self) -> int:
        return self._pending.qsize()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Change:
        if self._closed:
            raise StopAsyncIteration
        return await self._pending.get()

    def close(self) -> None:
        self._closed = True
        self._fan_out.unsubscribe(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ChangeFanOut:
    """A process's subscribers. `publish` never waits; it is called on the event loop."""

    def __init__(self, *, max_pending: int = MAX_PENDING) -> None:
        self._max_pending = max_pending
        self._subscribers: set[FanOutSubscription] = set()

    @property
    def listening(self) -> bool:
        return True  # overridden where changes come from a connection that can be lost

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Where changes are heard over a connection, it is kept for the block's duration."""
        yield

    def subscribe(self) -> FanOutSubscription:
        subscription = FanOutSubscription(self, self._max_pending)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: FanOutSubscription) -> None:
        self._subscribers.discard(subscription)

    def publish(self, change: Change) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(change)

    def publish_changed(self, courses: Iterable[CourseId], students: Iterable[StudentId]) -> None:
        change = Change(frozenset(courses), frozenset(students))
        if change.courses or change.students:
            self.publish(change)
