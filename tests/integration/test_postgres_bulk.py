"""Large batches go through COPY and a temporary table: the same rules and the same statistics
as small ones."""

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.postgres import (
    ConnectionPool,
    PostgresStatsReader,
    PostgresUnitOfWork,
    bulk_load,
    migrate,
    postgres_pool,
    verify,
)
from adapters.postgres.grade_store import BULK_THRESHOLD
from domain.events import CourseGraded, GradeEvent, TaskGraded

pytestmark = pytest.mark.integration

T0 = datetime(2025, 9, 1, tzinfo=UTC)
STUDENTS = [uuid.UUID(int=i) for i in range(1, 200)]


def events(count: int, seed: int) -> list[GradeEvent]:
    rng = random.Random(seed)
    made: list[GradeEvent] = []
    for _ in range(count):
        student, course = rng.choice(STUDENTS), f"c{rng.randrange(5)}"
        at = T0 + timedelta(hours=rng.randrange(24 * 20))
        grade, on_time = Decimal(rng.randrange(1001)) / 100, rng.random() < 0.8
        if rng.random() < 0.1:
            made.append(CourseGraded(uuid.uuid4(), student, course, grade, on_time, at, at))
        else:
            task = f"t{rng.randrange(4)}"  # few slots: many regrades and late grades
            made.append(TaskGraded(uuid.uuid4(), student, course, task, grade, on_time, at, at))
    return made


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, min_size=2, max_size=2) as pool:
        yield pool


async def test_only_a_large_batch_is_copied(pool: ConnectionPool) -> None:
    copied = "SELECT to_regclass('pg_temp.incoming_grades') IS NOT NULL"
    async with PostgresUnitOfWork(pool) as uow:
        await uow.grades.record(events(BULK_THRESHOLD - 1, seed=1))
        assert not await uow.connection.fetchval(copied)
        await uow.grades.record(events(BULK_THRESHOLD, seed=1))
        assert await uow.connection.fetchval(copied)
        await uow.commit()
    assert await verify(pool) == []


async def test_bulk_load_counts_and_reads_like_small_batches(pool: ConnectionPool) -> None:
    stream = events(3 * BULK_THRESHOLD, seed=2)
    stream += stream[:500]  # a redelivered stretch
    changed = await bulk_load(pool, iter(stream), batch_size=BULK_THRESHOLD + 7, concurrency=1)

    database = InMemoryDatabase()
    async with InMemoryUnitOfWork(database) as uow:
        expected = await uow.grades.record(stream)
        await uow.commit()
    assert changed == expected
    assert await verify(pool) == []
    memory, postgres = InMemoryStatsReader(database), PostgresStatsReader(pool)
    for course in ("c0", "c3"):
        assert sorted(
            (t.student_id, t.tally) for t in await postgres.task_tallies_by_student(course)
        ) == sorted((t.student_id, t.tally) for t in await memory.task_tallies_by_student(course))
    for student in STUDENTS[:20]:
        assert await postgres.student_course(student, "c1") == await memory.student_course(
            student, "c1"
        )
    again = await bulk_load(pool, iter(stream), batch_size=BULK_THRESHOLD, concurrency=2)
    assert again == 0


async def test_concurrent_bulk_batches_keep_the_statistics_exact(pool: ConnectionPool) -> None:
    stream = events(4 * BULK_THRESHOLD, seed=3)
    await bulk_load(pool, iter(stream), batch_size=BULK_THRESHOLD, concurrency=2)
    assert await verify(pool) == []
    assert await pool.fetchval("SELECT count(*) FROM task_grade_events") + await pool.fetchval(
        "SELECT count(*) FROM course_grades"
    ) == len(stream)
