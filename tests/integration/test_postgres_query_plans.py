"""Every read path the use cases take can be served by an index.

With sequential (and bitmap) scans disabled the planner still picks one when no index fits, so a
plan without "Seq Scan" shows an index serves the query whatever the table's size; where an index
holds every column a course-wide read needs, the plan must be an index-only scan. The queries are the ones the
reader really sends, captured on their way out. Which of several fitting indexes is chosen depends
on statistics, so each path names the indexes it may use.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery

from adapters.postgres import PostgresStatsReader, migrate
from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from application.ports import GradeScope
from application.ports.analytics_reader import RiskBounds, RoundedAverage
from domain.periods import DateWindow, GroupBy

pytestmark = pytest.mark.integration

STUDENT = uuid.uuid4()
WINDOW = DateWindow(date(2025, 1, 1), date(2025, 3, 31))
ReadPath = Callable[[PostgresStatsReader], Awaitable[object]]

READ_PATHS: dict[str, tuple[ReadPath, set[str]]] = {
    "student course summary": (
        lambda r: r.student_course(STUDENT, "math"),
        {"student_course_tallies_pkey", "student_course_tallies_by_course"},
    ),
    "student average": (
        lambda r: r.course_grade_series(GradeScope(WINDOW, GroupBy.WEEK, student_id=STUDENT)),
        {"student_course_grade_days_pkey"},
    ),
    "course average": (
        lambda r: r.course_grade_series(GradeScope(WINDOW, GroupBy.MONTH, course_id="math")),
        {"course_grade_days_pkey"},
    ),
    "task comparison": (
        lambda r: r.ranked_task_averages("math"),
        {"student_course_tallies_by_course"},
    ),
    "task averages": (
        lambda r: r.ranked_task_grades("math", "essay"),
        {"current_task_grades_by_task"},
    ),
    "course on-time": (
        lambda r: r.on_time_series(GradeScope(WINDOW, GroupBy.DAY, course_id="math")),
        {"course_task_grade_days_pkey"},
    ),
    "student on-time": (
        lambda r: r.on_time_series(GradeScope(course_id="math", student_id=STUDENT)),
        {"current_task_grades_pkey"},
    ),
}
# The course-wide analytics read a course's rows from indexes that hold every column they take
# (migration 0003; on a large table, through the table, they cost a page per row), or from the
# read models kept for them (migration 0005), a row per task or per student of the course.
ANALYTICS_PATHS: dict[
    str, tuple[Callable[[PostgresAnalyticsReader], Awaitable[object]], tuple[str, ...]]
] = {
    "task spreads": (
        lambda r: r.task_spreads("math"), ("Index Scan using course_task_tallies_pkey",),
    ),
    "students at risk": (
        lambda r: r.students_at_risk("math", RiskBounds(Decimal(5), Decimal(70), 3), 3),
        (
            "Index Only Scan using student_course_tallies_by_course",
            "Index Scan using student_course_recent_grades_pkey",
        ),
    ),
    "course students": (
        lambda r: r.students("math"),
        ("Index Only Scan using student_course_tallies_by_course",),
    ),
    "course standings": (
        lambda r: r.course_standings("math"),
        ("Index Only Scan using student_course_tallies_by_course",),
    ),
    "standing counts": (
        lambda r: r.average_counts([RoundedAverage("math", 650)]),
        ("Index Only Scan using student_course_tallies_by_course",),
    ),
    "task ids": (lambda r: r.task_ids("math"), ("Index Scan using course_task_tallies_pkey",)),
    "standings' recent grades": (
        lambda r: r.recent_task_grades("math", [STUDENT], 3),
        ("Index Scan using student_course_recent_grades_pkey",),
    ),
    "a student's courses": (
        lambda r: r.student_course_facts(STUDENT),
        (
            "using student_course_tallies_pkey",
            "Index Only Scan using student_course_tallies_by_course",
            "Index Scan using current_task_grades_pkey",
        ),
    ),
}
# The tables the reader reads; asyncpg's own queries (type introspection, the reset on
# release) read none of them.
READ_TABLES = ("_grades", "_tallies", "_grade_days")


@pytest.fixture
async def migrated_url(fresh_database_url: str) -> str:
    await migrate(fresh_database_url)
    return fresh_database_url


async def queries_sent_by(
    url: str, read: Callable[[Any], Awaitable[object]], reader: type = PostgresStatsReader
) -> list[LoggedQuery]:
    sent: list[LoggedQuery] = []

    async def log_queries(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(sent.append)

    async with asyncpg.create_pool(url, min_size=1, max_size=1, init=log_queries) as pool:
        await read(reader(pool))
    return [q for q in sent if any(table in q.query for table in READ_TABLES)]


async def plan(url: str, query: LoggedQuery) -> str:
    connection = await asyncpg.connect(url)
    try:
        # the other plans read every row through the table; an index (only) scan may not
        await connection.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        rows = await connection.fetch(f"EXPLAIN {query.query}", *query.args)
    finally:
        await connection.close()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("path", READ_PATHS)
async def test_the_read_path_uses_its_index(migrated_url: str, path: str) -> None:
    read, indexes = READ_PATHS[path]
    queries = await queries_sent_by(migrated_url, read)
    assert len(queries) == 1
    text = await plan(migrated_url, queries[0])
    assert "Seq Scan" not in text, text
    # On an empty table the planner may pick any index that fits; one of them, then.
    assert any(index in text for index in indexes), text
    assert "Index Cond" in text, text
    if path == "course average":  # and the students in the window, from their own index
        assert "Index Only Scan using student_course_grade_days_by_course" in text, text
    if path == "task comparison":  # the course's rows, without visiting the table (0003)
        assert "Index Only Scan using student_course_tallies_by_course" in text, text
    if path == "task averages":
        assert "Index Only Scan using current_task_grades_by_task" in text, text


@pytest.mark.parametrize("path", ANALYTICS_PATHS)
async def test_the_course_wide_analytics_scan_only_their_index(migrated_url: str, path: str) -> None:
    read, scans = ANALYTICS_PATHS[path]
    queries = await queries_sent_by(migrated_url, read, PostgresAnalyticsReader)
    assert len(queries) == 1
    text = await plan(migrated_url, queries[0])
    assert "Seq Scan" not in text, text
    assert all(scan in text for scan in scans), text
