"""Loading many grades fast: large batches through COPY (see PostgresGradeStore), one
transaction per batch, with a few batches in flight so that building the next batch overlaps
with the database recording the previous one. Every statistic is up to date when it returns."""

import asyncio
import itertools
from collections.abc import AsyncIterable, AsyncIterator, Iterable

from adapters.postgres.pool import ConnectionPool
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.events import GradeEvent


async def bulk_load(
    pool: ConnectionPool,
    events_iter: Iterable[GradeEvent] | AsyncIterable[GradeEvent],
    batch_size: int = 50_000,
    *,
    concurrency: int = 2,
) -> int:
    """Record every event in batches of `batch_size`; returns how many changed a statistic.

    Idempotent like any recording: an interrupted load can simply be run again. `concurrency`
    transactions run at once (the pool must have that many connections); they lock shared
    aggregate rows in one order, so they wait for each other but never deadlock.
    """
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be positive")
    slots = asyncio.Semaphore(concurrency)
    running: set[asyncio.Task[int]] = set()
    changed = 0

    async def record(batch: list[GradeEvent]) -> int:
        try:
            async with PostgresUnitOfWork(pool) as uow:
                recorded = await uow.grades.record(batch)
                await uow.commit()
            return recorded
        finally:
            slots.release()

    try:
        async for batch in _batches(events_iter, batch_size):
            await slots.acquire()
            for done in [t for t in running if t.done()]:
                running.discard(done)
                changed += done.result()
            running.add(asyncio.create_task(record(batch)))
        for result in await asyncio.gather(*running):
            changed += result
        running.clear()
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return changed


async def _batches(
    events: Iterable[GradeEvent] | AsyncIterable[GradeEvent], size: int
) -> AsyncIterator[list[GradeEvent]]:
    if isinstance(events, AsyncIterable):
        batch: list[GradeEvent] = []
        async for event in events:
            batch.append(event)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    iterator = iter(events)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
