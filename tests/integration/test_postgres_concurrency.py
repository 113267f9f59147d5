"""Concurrent and repeated recording on the real database: the rules hold without races."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, postgres_pool, verify
from domain.events import CourseGraded, GradeEvent, TaskGraded

pytestmark = pytest.mark.integration

WORKERS = 8
STUDENTS = [uuid.uuid4() for _ in range(4)]
TASKS = ["essay", "quiz", "lab", "exam", "project"]
T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    await migrate(fresh_database_url)
    async with postgres_pool(
        fresh_database_url, min_size=WORKERS + 1, max_size=WORKERS + 1, command_timeout=30
    ) as pool:
        yield pool


def regrades(worker: int, rng: random.Random) -> list[GradeEvent]:
    """One grade for every slot, with recencies that interleave across workers (and tie)."""
    events: list[GradeEvent] = []
    for student in STUDENTS:
        for task in TASKS:
            graded_at = T0 + timedelta(hours=rng.randrange(6))
            accepted_at = graded_at + timedelta(minutes=rng.randrange(3))
            grade = Decimal(rng.randrange(1001)) / 100
            events.append(
                TaskGraded(
                    uuid.uuid4(),
                    student,
                    "math",
                    task,
                    grade,
                    worker % 2 == 0,
                    graded_at,
                    accepted_at,
                )
            )
    events.append(
        CourseGraded(uuid.uuid4(), STUDENTS[0], "math", Decimal(worker % 11), True, T0, T0)
    )
    rng.shuffle(events)
    return events


async def record_in_memory(batches: list[list[GradeEvent]]) -> tuple[list[int], InMemoryDatabase]:
    database = InMemoryDatabase()
    counts = []
    for batch in batches:
        async with InMemoryUnitOfWork(database) as uow:
            counts.append(await uow.grades.record(batch))
            await uow.commit()
    return counts, database


async def current_grades(pool: ConnectionPool) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    rows = await pool.fetch("SELECT student_id, task_id, event_id FROM current_task_grades")
    return {(r["student_id"], r["task_id"]): r["event_id"] for r in rows}


async def test_concurrent_regrades_keep_the_latest_grade_and_count_exactly(
    pool: ConnectionPool,
) -> None:
    rng = random.Random(20250301)
    batches = [regrades(worker, rng) for worker in range(WORKERS)]
    await pool.execute("CREATE SEQUENCE commit_order")
    everyone_in_a_transaction = asyncio.Barrier(WORKERS)

    async def worker(batch: list[GradeEvent]) -> tuple[int, int]:
        async with PostgresUnitOfWork(pool) as uow:
            await everyone_in_a_transaction.wait()
            changed = await uow.grades.record(batch)
            # Every batch touches every slot, so the row locks order the transactions fully:
            # a number drawn after recording and before committing gives that order.
            position: int = await uow.connection.fetchval("SELECT nextval('commit_order')")
            await uow.commit()
        return position, changed

    results = await asyncio.gather(*(worker(batch) for batch in batches))

    order = sorted(range(WORKERS), key=lambda w: results[w][0])
    expected_counts, expected = await record_in_memory([batches[w] for w in order])
    assert [results[w][1] for w in order] == expected_counts
    latest = {slot: event.event_id for slot, event in expected.current_task_grades.items()}
    assert await current_grades(pool) == {
        (student, task): event_id for (student, _, task), event_id in latest.items()
    }
    # The winner of each slot does not depend on the order: it is the most recent event.
    task_events = [e for batch in batches for e in batch if isinstance(e, TaskGraded)]
    for (student, task), event_id in (await current_grades(pool)).items():
        mine = [e for e in task_events if (e.student_id, e.task_id) == (student, task)]
        assert event_id == max(mine, key=lambda e: e.recency).event_id
    assert await pool.fetchval("SELECT count(*) FROM task_grade_events") == len(task_events)
    assert await pool.fetchval("SELECT count(*) FROM course_grades") == WORKERS
    assert await verify(pool) == []  # every tally moved exactly with its slot's grade


async def test_concurrent_redeliveries_of_one_batch_count_once(pool: ConnectionPool) -> None:
    batch = regrades(0, random.Random(7)) + regrades(1, random.Random(8))
    expected_counts, _ = await record_in_memory([batch])
    everyone_in_a_transaction = asyncio.Barrier(WORKERS)

    async def worker() -> int:
        async with PostgresUnitOfWork(pool) as uow:
            await everyone_in_a_transaction.wait()
            changed = await uow.grades.record(batch)
            await uow.commit()
        return changed

    counts = await asyncio.gather(*(worker() for _ in range(WORKERS)))
    assert sorted(counts) == [0] * (WORKERS - 1) + expected_counts
    assert await pool.fetchval("SELECT count(*) FROM task_grade_events") == len(batch) - 2
    assert await pool.fetchval("SELECT count(*) FROM course_grades") == 2


async def test_a_redelivered_batch_changes_nothing(pool: ConnectionPool) -> None:
    rng = random.Random(3)
    first, second = regrades(0, rng), regrades(1, rng)

    async def record(batch: list[GradeEvent]) -> int:
        async with PostgresUnitOfWork(pool) as uow:
            changed = await uow.grades.record(batch)
            await uow.commit()
        return changed

    async def snapshot() -> list[list[asyncpg.Record]]:
        return [
            await pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2, 3")
            for table in ("course_grades", "task_grade_events", "current_task_grades")
        ]

    assert await record(first) > 0
    assert await record(second) > 0
    before = await snapshot()
    assert await record(second) == 0
    assert await record(first + second) == 0
    assert await snapshot() == before


async def test_a_large_batch_takes_a_handful_of_statements(pool: ConnectionPool) -> None:
    statements: list[str] = []

    def log(query: LoggedQuery) -> None:
        statements.append(query.query)

    rng = random.Random(11)
    batch = [e for worker in range(40) for e in regrades(worker, rng)]  # 840 events
    async with PostgresUnitOfWork(pool) as uow:
        # asyncpg learns the array types on a connection's first use: not ours to count.
        await uow.grades.record(regrades(99, rng))
        uow.connection.add_query_logger(log)
        try:
            assert await uow.grades.record(batch) >= len(STUDENTS) * len(TASKS) + 40
        finally:
            uow.connection.remove_query_logger(log)
    recording = [s for s in statements if "pg_notify" not in s]
    # course grades, task grades and every aggregate; then the quartile values of the tasks
    assert len(recording) == 2
    assert len(statements) == 3  # and the notices of what changed, all in one
