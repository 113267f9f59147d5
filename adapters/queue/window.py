"""The batching window: concurrent calls gathered into one operation over all their items. The
API's publisher uses it (the events of POSTs arriving together go out as one queue message) and
so does the worker (the messages it processes at once are recorded in one transaction).

The first call starts a flush: it lingers `linger` seconds (or until `max_size` items wait), then
runs the operation once over everything waiting, and every call in it returns that one outcome,
or raises its error, once the operation has finished. Calls arriving meanwhile form the next
batch; up to `max_flushes` batches run at once (None: no limit).

A failed batch of several calls fails each of them, unless `retry_alone(error)` says the error
may belong to one call only: then each call runs the operation again on its own items alone, so
only the bad one fails.

A call that gives up (is cancelled) while it waits does not cancel the others; its items still
go with the batch unless `drop_abandoned` (the worker's messages: one left unacknowledged is
delivered again, so it must not be recorded as if it had been).
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True, slots=True)
class _Waiting(Generic[Item, Outcome]):
    items: Sequence[Item]
    outcome: "asyncio.Future[Outcome]"


def _never(error: Exception) -> bool:
    return False


class BatchingWindow(Generic[Item, Outcome]):
    def __init__(
        self,
        operation: Callable[[Sequence[Item]], Awaitable[Outcome]],
        *,
        linger: float,
        max_size: int,
        max_flushes: int | None = None,
        retry_alone: Callable[[Exception], bool] = _never,
        drop_abandoned: bool = False,
    ) -> None:
        if linger < 0 or max_size < 1 or (max_flushes is not None and max_flushes < 1):
            raise ValueError("linger must be >= 0, max_size and max_flushes positive")
        self._operation = operation
        self._linger_seconds = linger
        self._max_size = max_size
        self._max_flushes = max_flushes
        self._retry_alone = retry_alone
        self._drop_abandoned = drop_abandoned
        self._waiting: deque[_Waiting[Item, Outcome]] = deque()
        self._waiting_size = 0
        self._full = asyncio.Event()
        self._flushers: set[asyncio.Task[None]] = set()
        self._running = 0

    async def __call__(self, items: Sequence[Item]) -> Outcome:
        """The outcome of the operation over a batch holding `items`."""
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(items, outcome))
        self._waiting_size += len(items)
        if self._waiting_size >= self._max_size:
            self._full.set()
        self._start_flusher()
        return await outcome

    def _start_flusher(self) -> None:
        """Start gathering the next batch, unless someone already is or enough are running."""
        gathering = len(self._flushers) - self._running
        if not self._waiting or gathering > 0:
            return
        if self._max_flushes is not None and self._running >= self._max_flushes:
            return  # the first flusher to finish starts the next one
        flusher = asyncio.create_task(self._flush(), name="batching-window")
        self._flushers.add(flusher)
        flusher.add_done_callback(self._flushers.discard)

    async def _flush(self) -> None:
        """Gather one batch, then run it (while the next one gathers)."""
        batch: list[_Waiting[Item, Outcome]] = []
        try:
            await self._linger()
            batch = self._take()
            self._running += 1
            try:
                self._start_flusher()
                if batch:
                    await self._run_batch(batch)
            finally:
                self._running -= 1
        finally:
            for waiting in batch:  # cancelled mid-way: nobody may wait forever
                if not waiting.outcome.done():
                    waiting.outcome.cancel()
            current = asyncio.current_task()
            if current is not None:
                self._flushers.discard(current)  # type: ignore[arg-type]
            self._start_flusher()

    async def _linger(self) -> None:
        if self._waiting_size >= self._max_size or self._linger_seconds == 0:
            return
        self._full.clear()
        try:
            async with asyncio.timeout(self._linger_seconds):
                await self._full.wait()
        except TimeoutError:
            pass

    def _take(self) -> list[_Waiting[Item, Outcome]]:
        batch: list[_Waiting[Item, Outcome]] = []
        size = 0
        while self._waiting and (not batch or size < self._max_size):
            waiting = self._waiting.popleft()
            self._waiting_size -= len(waiting.items)
            if self._drop_abandoned and waiting.outcome.done():
                continue  # its caller gave up
            batch.append(waiting)
            size += len(waiting.items)
        return batch

    async def _run_batch(self, batch: list[_Waiting[Item, Outcome]]) -> None:
        if len(batch) == 1:
            await self._run_alone(batch[0])
            return
        items = [item for waiting in batch for item in waiting.items]
        try:
            outcome = await self._operation(items)
        except Exception as e:  # noqa: BLE001 - handed to the waiting callers
            if not self._retry_alone(e):
                for waiting in batch:
                    _settle(waiting, error=e)
                return
            log.warning("a batch of %d calls failed (%r); running them one by one", len(batch), e)
            for waiting in batch:
                await self._run_alone(waiting)
            return
        for waiting in batch:
            _settle(waiting, outcome=outcome)

    async def _run_alone(self, waiting: _Waiting[Item, Outcome]) -> None:
        if self._drop_abandoned and waiting.outcome.done():
            return
        try:
            outcome = await self._operation(waiting.items)
        except Exception as e:  # noqa: BLE001 - handed to the waiting caller
            _settle(waiting, error=e)
        else:
            _settle(waiting, outcome=outcome)


def _settle(
    waiting: _Waiting[Item, Outcome],
    *,
    outcome: Outcome | None = None,
    error: Exception | None = None,
) -> None:
    if waiting.outcome.done():
        return
    if error is None:
        waiting.outcome.set_result(outcome)  # type: ignore[arg-type]
    else:
        waiting.outcome.set_exception(error)
