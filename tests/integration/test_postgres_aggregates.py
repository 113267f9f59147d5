"""Property: whatever the events (regrades, late grades, duplicates, erasures), however they are
split into batches and however those batches run at once, the aggregates the store keeps equal
their recomputation from the recorded grades (`verify`)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, postgres_pool, verify
from domain.events import CourseGraded, GradeEvent, TaskGraded
from tests.contract.adapter_sets import RECORDED_TABLES
from tests.event_streams import cents, deliveries, grade_events, moments

pytestmark = pytest.mark.integration

STUDENTS = [uuid.UUID(int=i) for i in range(1, 4)]
COURSES = ["math", "art"]
TASKS = ["essay", "quiz"]
EPOCH = datetime(2025, 12, 30, 20, tzinfo=UTC)  # days and a year change close together
TABLES = ", ".join(RECORDED_TABLES)
CONCURRENCY = 4

grade_event = grade_events(
    students=STUDENTS,
    courses=COURSES,
    tasks=TASKS,
    # Few values, so that grades of a task tie; one value written at several scales (7.5, 7.50),
    # and up to 4 decimals.
    grades=st.one_of(
        cents,
        st.sampled_from([Decimal("7.5"), Decimal("7.50"), Decimal("7.5000"), Decimal(10)]),
        st.decimals(min_value=0, max_value=10, places=4),
    ),
    graded_at=moments(EPOCH, st.integers(0, 96).map(lambda hours: hours - hours % 3)),
    kinds=["course", "task", "task", "erase"],
)


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    await migrate(fresh_database_url)
    async with postgres_pool(
        fresh_database_url, min_size=CONCURRENCY, max_size=CONCURRENCY, command_timeout=30
    ) as pool:
        yield pool


async def record(pool: ConnectionPool, batch: list[GradeEvent]) -> None:
    async with PostgresUnitOfWork(pool) as uow:
        await uow.grades.record(batch)
        await uow.commit()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=deliveries(
        st.lists(grade_event, min_size=1, max_size=40), max_redelivered=8, max_cuts=6
    ),
    concurrent=st.booleans(),
)
async def test_aggregates_equal_their_recomputation(
    pool: ConnectionPool, batches: list[list[GradeEvent]], concurrent: bool
) -> None:
    await pool.execute(f"TRUNCATE {TABLES}")
    if concurrent:
        # Up to CONCURRENCY transactions at once, on overlapping rows: no deadlock, no race.
        for start in range(0, len(batches), CONCURRENCY):
            await asyncio.gather(*(record(pool, b) for b in batches[start : start + CONCURRENCY]))
    else:
        for batch in batches:
            await record(pool, batch)
    assert [str(d) for d in await verify(pool)] == []


async def test_verify_reports_a_tampered_aggregate(pool: ConnectionPool) -> None:
    at = EPOCH
    await record(
        pool,
        [
            CourseGraded(uuid.uuid4(), STUDENTS[0], "math", Decimal(8), True, at, at),
            TaskGraded(uuid.uuid4(), STUDENTS[0], "math", "essay", Decimal(6), False, at, at),
        ],
    )
    assert await verify(pool) == []
    await pool.execute("UPDATE course_task_tallies SET total = total + 1")
    await pool.execute("DELETE FROM course_grade_days")
    await pool.execute(
        "INSERT INTO course_task_grade_days VALUES ('art', '2025-01-01', 1, 5, 1)"
    )
    found = {(d.table, d.stored is None, d.recomputed is None) for d in await verify(pool)}
    assert found == {
        ("course_task_tallies", False, False),
        ("course_grade_days", True, False),
        ("course_task_grade_days", False, True),
    }


@pytest.mark.parametrize(
    ("tampering", "table", "stored", "recomputed"),
    [
        ("UPDATE course_task_tallies SET ranked[2] = 7", "course_task_tallies", True, True),
        ("UPDATE course_task_tallies SET histogram[7] = 0", "course_task_tallies", True, True),
        ("UPDATE course_task_tallies SET squares = 0", "course_task_tallies", True, True),
        ("UPDATE course_task_grade_values SET count = 2 WHERE grade = 6",
         "course_task_grade_values", True, True),
        ("DELETE FROM course_task_grade_values WHERE grade = 9", "course_task_grade_values",
         False, True),
        ("UPDATE student_course_recent_grades SET grades[1] = 5",
         "student_course_recent_grades", True, True),
        ("DELETE FROM student_course_recent_grades", "student_course_recent_grades", False, True),
    ],
)
async def test_verify_reports_a_tampered_read_model(
    pool: ConnectionPool, tampering: str, table: str, stored: bool, recomputed: bool
) -> None:
    at = EPOCH
    await record(
        pool,
        [
            TaskGraded(uuid.uuid4(), STUDENTS[0], "math", "essay", Decimal(6), False, at, at),
            TaskGraded(uuid.uuid4(), STUDENTS[1], "math", "essay", Decimal(9), True, at, at),
        ],
    )
    assert await verify(pool) == []
    await pool.execute(tampering)
    found = {(d.table, d.stored is not None, d.recomputed is not None) for d in await verify(pool)}
    assert found == {(table, stored, recomputed)}
