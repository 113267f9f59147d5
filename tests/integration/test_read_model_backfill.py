"""A migration that adds a statistic computes it from the grades already recorded: grades written
under the earlier schema come out of the later migrations with every statistic equal to its
recomputation (`verify`), and read as the same grades recorded afresh."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from adapters.postgres import PostgresUnitOfWork, postgres_pool, verify
from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from adapters.postgres.migrate import available_migrations
from application.ports.analytics_reader import RiskBounds, RoundedAverage
from domain.events import TaskGraded
from tests.contract.adapter_sets import RECORDED_TABLES

pytestmark = pytest.mark.integration

FIRST_VERSION_WITH_GRADES = "0001"
EPOCH = datetime(2026, 2, 1, tzinfo=UTC)


def the_grades() -> list[TaskGraded]:
    """Current grades only (one per slot), with ties, a value at two scales, bin edges."""
    values = [Decimal(v) for v in ("7.5", "7.50", "0", "10", "9", "8.9999", "3.25", "1")]
    grades = []
    for s in range(9):
        for t in range(4):
            at = EPOCH + timedelta(hours=(s * 5 + t * 7) % 11)
            grades.append(TaskGraded(
                uuid.UUID(int=1000 + s * 10 + t), uuid.UUID(int=s + 1), f"c{s % 2}", f"t{t}",
                values[(s * 3 + t) % len(values)], (s + t) % 3 != 0, at, at,
            ))
    return grades


async def insert_as_recorded(connection: asyncpg.Connection, grades: list[TaskGraded]) -> None:
    rows = [
        (g.event_id, g.student_id, g.course_id, g.task_id, g.grade, g.on_time, g.graded_at,
         g.accepted_at)
        for g in grades
    ]
    columns = ("event_id, student_id, course_id, task_id, grade, on_time, graded_at, accepted_at")
    for table in ("task_grade_events", "current_task_grades"):
        await connection.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", rows
        )


async def test_grades_recorded_before_a_migration_are_in_its_statistics(
    fresh_database_url: str,
) -> None:
    grades = the_grades()
    connection = await asyncpg.connect(fresh_database_url)
    try:
        migrations = available_migrations()
        assert migrations[0].version == FIRST_VERSION_WITH_GRADES
        await connection.execute(migrations[0].sql)
        await insert_as_recorded(connection, grades)
        for migration in migrations[1:]:  # each computes what it adds from the grades
            async with connection.transaction():
                await connection.execute(migration.sql)
    finally:
        await connection.close()
    assert await verify(fresh_database_url) == []

    # The same grades recorded afresh through the store read the same.
    async with postgres_pool(fresh_database_url, max_size=2, command_timeout=30) as pool:
        reader = PostgresAnalyticsReader(pool)
        backfilled = [await read(reader) for read in READS]
        assert backfilled[0]  # the course has spreads to compare
        await pool.execute(f"TRUNCATE {', '.join(RECORDED_TABLES)}")
        async with PostgresUnitOfWork(pool) as uow:
            await uow.grades.record(grades)
            await uow.commit()
        assert [await read(reader) for read in READS] == backfilled


READS: list[Callable[[PostgresAnalyticsReader], Awaitable[object]]] = [
    *(lambda r, c=c: r.task_spreads(c) for c in ("c0", "c1")),
    *(
        lambda r, c=c: r.students_at_risk(c, RiskBounds(Decimal(6), Decimal(70), 3), 3)
        for c in ("c0", "c1")
    ),
    lambda r: r.average_counts([RoundedAverage("c0", cents) for cents in (0, 500, 750, 1000)]),
    lambda r: r.task_ids("c1"),
]
