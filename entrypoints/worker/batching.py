"""Recording the events of concurrent deliveries together: one transaction for many messages.

Every delivery (a queue message) calls the recorder and waits. The first one to arrive starts a
flush: it lingers `linger` seconds (or until `max_events` events wait), then records everything
waiting in one transaction, and every message in it learns the outcome once the transaction has
committed (so its task acknowledges it only then). Messages arriving meanwhile form the next
batch; up to `max_transactions` batches are recorded at once.

Failures keep the semantics of recording one message at a time:
- a transient failure (the database is down) fails every message of the batch; each task retries
  its own, and the retries are batched again;
- any other failure of a batch of several messages is not blamed on all of them: they are
  recorded again one by one, so only the bad message fails (and is eventually dead-lettered).
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from application.commands import RecordGrades
from entrypoints.failures import is_transient

log = logging.getLogger(__name__)

Recorder = Callable[[RecordGrades], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class BatchOptions:
    max_events: int = 1000  # a batch is recorded as soon as this many events wait
    linger: float = 0.002  # seconds a batch waits for more messages
    max_transactions: int = 2  # batches recorded at once

    def __post_init__(self) -> None:
        if self.max_events < 1 or self.max_transactions < 1 or self.linger < 0:
            raise ValueError("max_events and max_transactions must be positive, linger >= 0")


@dataclass(frozen=True, slots=True)
class _Waiting:
    command: RecordGrades
    outcome: "asyncio.Future[int]"


class BatchingRecorder:
    """A recorder (RecordGrades -> changed) that records concurrent calls in one transaction.

    A call returns the number of events its transaction changed: with several messages in one
    transaction, that is the whole batch's count (the statement cannot tell them apart).
    """

    def __init__(self, record: Recorder, options: BatchOptions | None = None) -> None:
        self._record = record
        self._options = options or BatchOptions()
        self._waiting: deque[_Waiting] = deque()
        self._waiting_events = 0
        self._full = asyncio.Event()
        self._flushers: set[asyncio.Task[None]] = set()
        self._recording = 0

    @property
    def wrapped(self) -> Recorder:
        return self._record

    async def __call__(self, command: RecordGrades) -> int:
        outcome: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(command, outcome))
        self._waiting_events += len(command.events)
        if self._waiting_events >= self._options.max_events:
            self._full.set()
        self._start_flusher()
        return await outcome

    def _start_flusher(self) -> None:
        """Start gathering the next batch, unless someone already is or enough are recording."""
        gathering = len(self._flushers) - self._recording
        if not self._waiting or gathering > 0:
            return
        if self._recording >= self._options.max_transactions:
            return  # the first flusher to finish starts the next one
        flusher = asyncio.create_task(self._flush(), name="record-grades-batch")
        self._flushers.add(flusher)
        flusher.add_done_callback(self._flushers.discard)

    async def _flush(self) -> None:
        """Gather one batch, then record it (while the next one gathers)."""
        batch: list[_Waiting] = []
        try:
            await self._linger()
            batch = self._take()
            self._recording += 1
            try:
                self._start_flusher()
                if batch:
                    await self._record_batch(batch)
            finally:
                self._recording -= 1
        finally:
            for waiting in batch:  # cancelled mid-way: nobody may wait forever
                if not waiting.outcome.done():
                    waiting.outcome.cancel()
            current = asyncio.current_task()
            if current is not None:
                self._flushers.discard(current)  # type: ignore[arg-type]
            self._start_flusher()

    async def _linger(self) -> None:
        if self._waiting_events >= self._options.max_events or self._options.linger == 0:
            return
        self._full.clear()
        try:
            async with asyncio.timeout(self._options.linger):
                await self._full.wait()
        except TimeoutError:
            pass

    def _take(self) -> list[_Waiting]:
        batch: list[_Waiting] = []
        events = 0
        while self._waiting and (not batch or events < self._options.max_events):
            waiting = self._waiting.popleft()
            self._waiting_events -= len(waiting.command.events)
            if waiting.outcome.done():  # its task was cancelled: the message stays unacked
                continue
            batch.append(waiting)
            events += len(waiting.command.events)
        return batch

    async def _record_batch(self, batch: list[_Waiting]) -> None:
        if len(batch) == 1:
            await self._record_alone(batch[0])
            return
        events = [event for waiting in batch for event in waiting.command.events]
        try:
            changed = await self._record(RecordGrades(events))
        except Exception as e:  # noqa: BLE001 - handed to the waiting tasks
            if is_transient(e):
                for waiting in batch:
                    _settle(waiting, error=e)
                return
            log.warning(
                "a batch of %d messages failed (%r); recording them one by one", len(batch), e
            )
            for waiting in batch:
                await self._record_alone(waiting)
            return
        for waiting in batch:
            _settle(waiting, changed=changed)

    async def _record_alone(self, waiting: _Waiting) -> None:
        if waiting.outcome.done():
            return
        try:
            changed = await self._record(waiting.command)
        except Exception as e:  # noqa: BLE001 - handed to the waiting task
            _settle(waiting, error=e)
        else:
            _settle(waiting, changed=changed)


def _settle(waiting: _Waiting, *, changed: int = 0, error: Exception | None = None) -> None:
    if waiting.outcome.done():
        return
    if error is None:
        waiting.outcome.set_result(changed)
    else:
        waiting.outcome.set_exception(error)
