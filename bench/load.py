"""Loading a dataset through the real write path's bulk form.

`adapters.postgres.bulk.bulk_load(pool, events, batch_size)` (COPY-based, keeps every statistic up
to date) when the adapters have it, run by `workers` processes (one per CPU by default), each
generating the events of its share of the courses and loading them with its own `bulk_load`.
Generating events in Python costs a good part of what recording them costs, and in one process
both would share one core (the GIL) rather than measure the write path. The shares are contiguous
ranges of courses, so the processes update different rows of every statistic and do not wait for
each other; together they load exactly the events one process would, in another order, which
gives the same statistics (recording does not depend on the order).

Without `bulk_load`: the regular write path, `PostgresUnitOfWork` + `grades.record(batch)`, in
one process, in batches with two transactions in flight so that generating the next batch
overlaps with PostgreSQL recording the previous one.
"""

import asyncio
import gc
import multiprocessing
import os
import queue
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.queues import Queue
from typing import Any, Protocol

from tqdm import tqdm

from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, postgres_pool
from bench.dataset import Dataset, DatasetShape
from domain.events import CourseGraded, TaskGraded

Event = TaskGraded | CourseGraded

TRANSACTIONS_PER_WORKER = 2  # bulk_load's concurrency in each loading process


@dataclass(frozen=True, slots=True)
class LoadReport:
    method: str  # "bulk_load" or "record"
    events: int
    seconds: float  # wall time of the load
    generation_seconds: float  # of which the write path waited for the generator (mean of workers)
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


class Advancing(Protocol):
    def update(self, n: int) -> object: ...


def progress_bar(label: str, total: int, unit: str) -> tqdm:
    """Done/total, rate and time left on stderr: redrawn on a terminal, else a line every 5 s."""
    tty = sys.stderr.isatty()
    return tqdm(total=total, desc=label, unit=unit, unit_scale=True, file=sys.stderr,
                mininterval=0.2 if tty else 5.0, ascii=not tty)


class TimedEvents:
    """The dataset's events, counted into a progress bar, timing how long generating them took.
    Iterable both ways, so a bulk loader may consume it with `for` or `async for`."""

    def __init__(self, events: Iterator[Event], progress: Advancing, chunk: int = 5_000) -> None:
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
        self._progress.update(len(chunk))
        self._buffer = iter(chunk)


def bulk_loader() -> Callable[..., Awaitable[Any]] | None:
    """The adapters' bulk loader, if this checkout has one."""
    try:
        from adapters.postgres.bulk import bulk_load
    except ImportError:
        return None
    return bulk_load


async def load(
    database_url: str,
    dataset: Dataset,
    *,
    batch_size: int | None = None,
    label: str = "loading",
    workers: int | None = None,
) -> LoadReport:
    """Migrate the database at `database_url` and record every event of `dataset` into it."""
    await migrate(database_url)
    progress = progress_bar(label, dataset.shape.events, unit=" grades")
    bulk_load = bulk_loader()
    started = time.perf_counter()
    if bulk_load is not None:
        waited = await _load_in_processes(
            database_url, dataset.shape, batch_size, workers or os.cpu_count() or 1, progress
        )
    else:
        async with postgres_pool(
            database_url, min_size=2, max_size=2, command_timeout=None
        ) as pool:
            events = TimedEvents(dataset.events(), progress)
            waited = await _record_in_batches(pool, events, batch_size or 5_000)
    seconds = time.perf_counter() - started
    progress.close()
    async with postgres_pool(database_url, min_size=1, max_size=1, command_timeout=None) as pool:
        started = time.perf_counter()
        async with pool.acquire() as connection:
            await connection.execute("VACUUM ANALYZE")
            size = await connection.fetchval("SELECT pg_database_size(current_database())")
        analyze_seconds = time.perf_counter() - started
    return LoadReport(
        method="bulk_load" if bulk_load is not None else "record",
        events=progress.n,
        seconds=seconds,
        generation_seconds=waited,
        analyze_seconds=analyze_seconds,
        database_bytes=int(size),
    )


async def _load_in_processes(
    database_url: str,
    shape: DatasetShape,
    batch_size: int | None,
    workers: int,
    progress: Advancing,
) -> float:
    """Load `Dataset(shape)` with `workers` processes (each regenerates its share from the
    shape); returns their mean wait for their generators. Fails, stopping the others, as soon
    as one of them fails."""
    context = multiprocessing.get_context("spawn")  # not fork: this process runs an event loop
    updates: Queue[tuple[str, Any]] = context.Queue()
    shares = [
        range(shape.courses * w // workers, shape.courses * (w + 1) // workers)
        for w in range(workers)
    ]
    processes = [
        context.Process(
            target=_load_share,
            args=(database_url, shape, share, batch_size, updates),
            name=f"bulk-load-{n}",
            daemon=True,
        )
        for n, share in enumerate(s for s in shares if s)
    ]
    for process in processes:
        process.start()
    waited: list[float] = []
    try:
        while len(waited) < len(processes):
            try:
                kind, value = await asyncio.to_thread(updates.get, True, 0.5)
            except queue.Empty:
                if any(p.exitcode for p in processes):  # killed without a word
                    raise RuntimeError("a bulk-loading process died") from None
                continue
            if kind == "progress":
                progress.update(value)
            elif kind == "done":
                waited.append(value)
            else:
                raise RuntimeError(f"a bulk-loading process failed:\n{value}")
    finally:
        for process in processes:
            if process.is_alive() and len(waited) < len(processes):
                process.terminate()
            await asyncio.to_thread(process.join)
    return sum(waited) / len(waited) if waited else 0.0


class _QueuedProgress:
    """Progress of a loading process, reported to the parent's bar."""

    def __init__(self, updates: "Queue[tuple[str, Any]]") -> None:
        self._updates = updates

    def update(self, n: int) -> None:
        self._updates.put(("progress", n))


def _load_share(
    database_url: str,
    shape: DatasetShape,
    courses: range,
    batch_size: int | None,
    updates: "Queue[tuple[str, Any]]",
) -> None:
    """A loading process: generates the events of `courses` and bulk-loads them.

    Without the cyclic garbage collector: the batches in flight are hundreds of thousands of
    objects, which every full collection would walk again (a third of this process's time),
    and loading makes no garbage cycles worth collecting."""
    gc.disable()
    try:
        waited = asyncio.run(_load_courses(database_url, shape, courses, batch_size, updates))
    except BaseException:
        updates.put(("failed", traceback.format_exc()))
        raise
    updates.put(("done", waited))


async def _load_courses(
    database_url: str,
    shape: DatasetShape,
    courses: range,
    batch_size: int | None,
    updates: "Queue[tuple[str, Any]]",
) -> float:
    bulk_load = bulk_loader()
    assert bulk_load is not None
    events = TimedEvents(Dataset(shape).events(courses), _QueuedProgress(updates))
    size = TRANSACTIONS_PER_WORKER
    async with postgres_pool(
        database_url, min_size=size, max_size=size, command_timeout=None
    ) as pool:
        await bulk_load(pool, events, *([batch_size] if batch_size else []), concurrency=size)
    return events.waited_seconds


async def _record_in_batches(pool: ConnectionPool, events: TimedEvents, batch_size: int) -> float:
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
