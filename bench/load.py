"""Loading a dataset through the real write path's bulk form.

`adapters.postgres.bulk.bulk_load(pool, events, batch_size)` (COPY-based, keeps every statistic up
to date) when the adapters have it; otherwise the regular write path, `PostgresUnitOfWork` +
`grades.record(batch)`, in batches with two transactions in flight so that generating the next
batch overlaps with PostgreSQL recording the previous one.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import asyncpg

from adapters.postgres import PostgresUnitOfWork, migrate, postgres_pool
from bench.dataset import Dataset
from bench.progress import Progress
from domain.events import CourseGraded, TaskGraded

Event = TaskGraded | CourseGraded


@dataclass(frozen=True, slots=True)
class LoadReport:
    method: str  # "bulk_load" or "record"
    events: int
    seconds: float  # wall time of the load
    generation_seconds: float  # of which the write path waited for the generator
    analyze_seconds: float  # VACUUM ANALYZE afterwards
    database_bytes: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def database_rate(self) -> float:
        """Events per second of the time not spent generating them."""
        busy = self.seconds - self.generation_seconds
        return self.events / busy if busy > 0 else 0.0


class TimedEvents:
    """The dataset's events, counted into a progress bar, timing how long generating them took.
    Iterable both ways, so a bulk loader may consume it with `for` or `async for`."""

    def __init__(self, events: Iterator[Event], progress: Progress, chunk: int = 5_000) -> None:
        self._events = events
        self._progress = progress
        self._chunk = chunk
        self._buffer: Iterator[Event] = iter(())
        self.generation_seconds = 0.0  # generating, wherever it ran
        self.waited_seconds = 0.0  # of which the loop waited for it, when iterated with async for

    def __iter__(self) -> "TimedEvents":
        return self

    def __next__(self) -> Event:
        try:
            return next(self._buffer)
        except StopIteration:
            self._refill()
            return next(self._buffer)

    def __aiter__(self) -> "TimedEvents":
        return self

    async def __anext__(self) -> Event:
        # Generating runs in a thread, so the loader's transactions in flight progress meanwhile.
        try:
            return next(self._buffer)
        except StopIteration:
            started = time.perf_counter()
            await asyncio.to_thread(self._refill)
            self.waited_seconds += time.perf_counter() - started
        try:
            return next(self._buffer)
        except StopIteration:
            raise StopAsyncIteration from None

    def batches(self, size: int) -> Iterator[list[Event]]:
        while batch := list(islice(self, size)):
            yield batch

    def _refill(self) -> None:
        started = time.perf_counter()
        chunk = list(islice(self._events, self._chunk))
        self.generation_seconds += time.perf_counter() - started
        self._progress.advance(len(chunk))
        self._buffer = iter(chunk)


def bulk_loader() -> Callable[..., Awaitable[Any]] | None:
    """The adapters' bulk loader, if this checkout has one."""
    try:
        from adapters.postgres.bulk import bulk_load
    except ImportError:
        return None
    return bulk_load


async def load(
    database_url: str, dataset: Dataset, *, batch_size: int | None = None, label: str = "loading"
) -> LoadReport:
    """Migrate the database at `database_url` and record every event of `dataset` into it."""
    await migrate(database_url)
    progress = Progress(label, dataset.shape.events, unit="grades")
    events = TimedEvents(dataset.events(), progress)
    bulk_load = bulk_loader()
    async with postgres_pool(database_url, min_size=2, max_size=4, command_timeout=None) as pool:
        started = time.perf_counter()
        if bulk_load is not None:
            await bulk_load(pool, events, *([batch_size] if batch_size else []))
            waited = events.waited_seconds
        else:
            waited = await _record_in_batches(pool, events, batch_size or 5_000)
        seconds = time.perf_counter() - started
        progress.finish()
        started = time.perf_counter()
        async with pool.acquire() as connection:
            await connection.execute("VACUUM ANALYZE")
            size = await connection.fetchval("SELECT pg_database_size(current_database())")
        analyze_seconds = time.perf_counter() - started
    return LoadReport(
        method="bulk_load" if bulk_load is not None else "record",
        events=progress.done,
        seconds=seconds,
        generation_seconds=waited,
        analyze_seconds=analyze_seconds,
        database_bytes=int(size),
    )


async def _record_in_batches(pool: asyncpg.Pool, events: TimedEvents, batch_size: int) -> float:
    """Record every batch; returns the seconds spent waiting for the generator."""
    async def record(batch: list[Event]) -> None:
        async with PostgresUnitOfWork(pool) as uow:
            await uow.grades.record(batch)
            await uow.commit()

    # Generating runs in a thread, so the loop keeps feeding PostgreSQL meanwhile.
    batches = events.batches(batch_size)
    in_flight: set[asyncio.Task[None]] = set()
    waited = 0.0
    while True:
        started = time.perf_counter()
        batch = await asyncio.to_thread(next, batches, None)
        waited += time.perf_counter() - started
        if batch is None:
            break
        if len(in_flight) >= 2:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        in_flight.add(asyncio.create_task(record(batch)))
    for finished in asyncio.as_completed(in_flight):
        await finished
    return waited
