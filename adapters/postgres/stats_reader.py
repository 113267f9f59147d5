"""The read side as SQL aggregates: tallies (count, exact sum, on-time count) per bucket.

Buckets are `date_trunc` of graded_at in UTC (a null unit puts every row in one bucket, the
ungrouped series). Windows are [start, end), an open end being +-infinity, so each query has one
plan shape that an index on (..., graded_at) serves.
"""

from collections.abc import Iterable

import asyncpg

from application.ports import (
    CourseGradeSeries,
    OnTimeSeries,
    PeriodTally,
    StudentCourseTallies,
    StudentTally,
)
from domain.periods import DateWindow, GroupBy
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId

_TALLY = (
    "count(*) AS count, coalesce(sum(grade), 0) AS total,"
    " count(*) FILTER (WHERE on_time) AS on_time"
)
_PERIOD = "date_trunc($1::text, graded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
_WINDOW = (
    "graded_at >= coalesce($2::timestamptz, '-infinity')"
    " AND graded_at < coalesce($3::timestamptz, 'infinity')"
)

_STUDENT_COURSE = f"""
SELECT 'course' AS kind, {_TALLY} FROM course_grades WHERE student_id = $1 AND course_id = $2
UNION ALL
SELECT 'task' AS kind, {_TALLY} FROM current_task_grades WHERE student_id = $1 AND course_id = $2
"""

_TASK_TALLIES_BY_STUDENT = f"""
SELECT student_id, {_TALLY}
FROM current_task_grades
WHERE course_id = $1
GROUP BY student_id
ORDER BY student_id
"""

_TASK_TALLIES_FOR_TASK = """
SELECT student_id, 1 AS count, grade AS total, on_time::int AS on_time
FROM current_task_grades
WHERE course_id = $1 AND task_id = $2
ORDER BY student_id
"""


def _course_grade_series_sql(filters: list[str]) -> str:
    # The () grouping set is the overall tally: one row even when no grade matches.
    return f"""
    SELECT grouping(period) = 1 AS overall, period, {_TALLY},
           count(DISTINCT student_id) AS students
    FROM (
        SELECT {_PERIOD} AS period, student_id, grade, on_time
        FROM course_grades
        WHERE {" AND ".join([_WINDOW, *filters])}
    ) AS graded
    GROUP BY GROUPING SETS ((), (period))
    ORDER BY period
    """


def _on_time_series_sql(*, by_student: bool) -> str:
    student_filter = "AND student_id = $5" if by_student else ""
    return f"""
    SELECT {_PERIOD} AS period, {_TALLY}
    FROM current_task_grades
    WHERE course_id = $4 {student_filter} AND {_WINDOW}
    GROUP BY period
    ORDER BY period
    """


class PostgresStatsReader:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def student_course(
        self, student_id: StudentId, course_id: CourseId
    ) -> StudentCourseTallies:
        rows = {
            r["kind"]: r for r in await self._pool.fetch(_STUDENT_COURSE, student_id, course_id)
        }
        return StudentCourseTallies(
            course_grades=_tally(rows["course"]), task_grades=_tally(rows["task"])
        )

    async def course_grade_series(
        self,
        *,
        window: DateWindow,
        group_by: GroupBy | None,
        student_id: StudentId | None = None,
        course_id: CourseId | None = None,
    ) -> CourseGradeSeries:
        args: list[object] = [_unit(group_by), window.start, window.end]
        filters: list[str] = []
        for column, value in (("student_id", student_id), ("course_id", course_id)):
            if value is not None:
                args.append(value)
                filters.append(f"{column} = ${len(args)}")
        sql = _course_grade_series_sql(filters)
        rows = await self._pool.fetch(sql, *args)
        overall = next(r for r in rows if r["overall"])
        return CourseGradeSeries(
            overall=_tally(overall),
            students=overall["students"],
            periods=_periods(r for r in rows if not r["overall"]),
        )

    async def task_tallies_by_student(self, course_id: CourseId) -> list[StudentTally]:
        rows = await self._pool.fetch(_TASK_TALLIES_BY_STUDENT, course_id)
        return [StudentTally(r["student_id"], _tally(r)) for r in rows]

    async def task_tallies_for_task(
        self, course_id: CourseId, task_id: TaskId
    ) -> list[StudentTally]:
        rows = await self._pool.fetch(_TASK_TALLIES_FOR_TASK, course_id, task_id)
        return [StudentTally(r["student_id"], _tally(r)) for r in rows]

    async def on_time_series(
        self,
        *,
        course_id: CourseId,
        window: DateWindow,
        group_by: GroupBy | None,
        student_id: StudentId | None = None,
    ) -> OnTimeSeries:
        args: list[object] = [_unit(group_by), window.start, window.end, course_id]
        if student_id is not None:
            args.append(student_id)
        rows = await self._pool.fetch(_on_time_series_sql(by_student=student_id is not None), *args)
        return _periods(rows)


def _unit(group_by: GroupBy | None) -> str | None:
    """The date_trunc field: GroupBy's values are date_trunc's names (week = ISO, from Monday)."""
    return None if group_by is None else group_by.value


def _tally(row: asyncpg.Record) -> Tally:
    return Tally(count=row["count"], total=row["total"], on_time=row["on_time"])


def _periods(rows: Iterable[asyncpg.Record]) -> list[PeriodTally]:
    return [PeriodTally(start=r["period"], tally=_tally(r)) for r in rows]
