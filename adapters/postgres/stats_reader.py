"""The read side over the aggregates of migration 0002: one small indexed query per method.

Day tallies are summed into buckets with `date_trunc` (a null unit puts every day in one bucket,
the ungrouped series). A DateWindow is whole UTC days, so it is the day range
[start_date, end_date + 1), an open end being +-infinity: each query has one plan shape whatever
the window. Rows whose tallies are all zero mean nothing and are skipped.
"""

from collections.abc import Iterable
from datetime import date, timedelta

import asyncpg

from adapters.postgres.pool import ConnectionPool
from application.ports import (
    CourseGradeSeries,
    GradeScope,
    OnTimeSeries,
    PeriodTally,
    RankedAverages,
    StudentCourseTallies,
    StudentTally,
)
from domain.periods import DateWindow, GroupBy
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId

# $1 unit, $2 first day, $3 the day after the last.
_PERIOD = "date_trunc($1::text, day::timestamp) AT TIME ZONE 'UTC'"
_DAYS = "day >= coalesce($2::date, '-infinity') AND day < coalesce($3::date, 'infinity')"
_SUMS = (
    "coalesce(sum(count), 0)::bigint AS count, coalesce(sum(total), 0) AS total,"
    " coalesce(sum(on_time), 0)::bigint AS on_time"
)

_STUDENT_COURSE = """
SELECT course_count, course_total, course_on_time, task_count, task_total, task_on_time
FROM student_course_tallies
WHERE student_id = $1 AND course_id = $2
"""

_TASK_TALLIES_BY_STUDENT = """
SELECT student_id, task_count AS count, task_total AS total, task_on_time AS on_time
FROM student_course_tallies
WHERE course_id = $1 AND task_count > 0
"""

# A slot holds one grade: the list is the answer, bounded by the course's students.
_TASK_TALLIES_FOR_TASK = """
SELECT student_id, 1 AS count, grade AS total, on_time::int AS on_time
FROM current_task_grades
WHERE course_id = $1 AND task_id = $2
"""

# Ranked best first as the handlers show them: the average rounded half up to whole cents, as
# domain.statistics.average_cents (div() truncates the exact quotient; grades are not negative),
# then the student id (uuid order is the order of its bytes, as Python's UUID ordering). One row
# of parallel arrays: a course's students cross the wire as three arrays, not a record each.
_RANKED_TASK_AVERAGES = """
SELECT coalesce(array_agg(student_id ORDER BY task_average_cents DESC, student_id), '{}'),
       coalesce(array_agg(task_average_cents ORDER BY task_average_cents DESC, student_id), '{}'),
       coalesce(array_agg(task_count ORDER BY task_average_cents DESC, student_id), '{}')
FROM student_course_tallies
WHERE course_id = $1 AND task_count > 0
"""

_RANKED_TASK_GRADES = """
SELECT coalesce(array_agg(student_id ORDER BY cents DESC, student_id), '{}'),
       coalesce(array_agg(cents ORDER BY cents DESC, student_id), '{}'),
       CASE WHEN count(*) > 0
            THEN div(200 * sum(grade) + count(*), 2 * count(*))::bigint END
FROM (
    SELECT student_id, grade, div(200 * grade + 1, 2)::bigint AS cents
    FROM current_task_grades
    WHERE course_id = $1 AND task_id = $2
) AS slots
"""

_COURSE_ON_TIME = f"""
SELECT {_PERIOD} AS period, {_SUMS}
FROM course_task_grade_days
WHERE course_id = $4 AND {_DAYS}
GROUP BY period
HAVING sum(count) > 0
ORDER BY period
"""

# At most one row per task of the course: the primary key's prefix.
_STUDENT_ON_TIME = """
SELECT date_trunc($1::text, graded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS period,
       count(*) AS count, sum(grade) AS total, count(*) FILTER (WHERE on_time) AS on_time
FROM current_task_grades
WHERE student_id = $5 AND course_id = $4
  AND graded_at >= coalesce($2::date::timestamp AT TIME ZONE 'UTC', '-infinity')
  AND graded_at < coalesce($3::date::timestamp AT TIME ZONE 'UTC', 'infinity')
GROUP BY period
ORDER BY period
"""


def _course_grade_series_sql(*, student: bool, course: bool) -> str:
    """Tallies from the day table that fits the filters; students counted from the
    (student, course, day) rows. The () grouping set is the overall tally: one row always."""
    filters = [_DAYS, "count > 0"]
    if student:
        filters.append("student_id = $4")
    if course:
        filters.append(f"course_id = ${5 if student else 4}")
    where = " AND ".join(filters)
    source = "student_course_grade_days" if student else "course_grade_days"
    return f"""
    SELECT period, {_SUMS},
           (SELECT count(DISTINCT student_id) FROM student_course_grade_days WHERE {where})
               AS students,
           grouping(period) = 1 AS overall
    FROM (SELECT {_PERIOD} AS period, count, total, on_time FROM {source} WHERE {where}) AS d
    GROUP BY GROUPING SETS ((), (period))
    ORDER BY period
    """


_COURSE_GRADE_SERIES = {
    (student, course): _course_grade_series_sql(student=student, course=course)
    for student in (False, True)
    for course in (False, True)
}


class PostgresStatsReader:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    async def student_course(
        self, student_id: StudentId, course_id: CourseId
    ) -> StudentCourseTallies:
        row = await self._pool.fetchrow(_STUDENT_COURSE, student_id, course_id)
        if row is None:
            return StudentCourseTallies(course_grades=Tally(), task_grades=Tally())
        return StudentCourseTallies(
            course_grades=Tally(row["course_count"], row["course_total"], row["course_on_time"]),
            task_grades=Tally(row["task_count"], row["task_total"], row["task_on_time"]),
        )

    async def course_grade_series(self, scope: GradeScope) -> CourseGradeSeries:
        args: list[object] = [_unit(scope.group_by), *_days(scope.window)]
        args += [v for v in (scope.student_id, scope.course_id) if v is not None]
        sql = _COURSE_GRADE_SERIES[(scope.student_id is not None, scope.course_id is not None)]
        rows = await self._pool.fetch(sql, *args)
        overall = next(r for r in rows if r["overall"])
        return CourseGradeSeries(
            overall=_tally(overall),
            students=overall["students"],
            periods=_periods(r for r in rows if not r["overall"] and r["count"] > 0),
        )

    async def task_tallies_by_student(self, course_id: CourseId) -> list[StudentTally]:
        rows = await self._pool.fetch(_TASK_TALLIES_BY_STUDENT, course_id)
        return _student_tallies(rows)

    async def task_tallies_for_task(
        self, course_id: CourseId, task_id: TaskId
    ) -> list[StudentTally]:
        rows = await self._pool.fetch(_TASK_TALLIES_FOR_TASK, course_id, task_id)
        return _student_tallies(rows)

    async def ranked_task_averages(self, course_id: CourseId) -> RankedAverages:
        student_ids, cents, counts = await self._pool.fetchrow(_RANKED_TASK_AVERAGES, course_id)
        return RankedAverages(student_ids, cents, counts)

    async def ranked_task_grades(self, course_id: CourseId, task_id: TaskId) -> RankedAverages:
        student_ids, cents, overall = await self._pool.fetchrow(
            _RANKED_TASK_GRADES, course_id, task_id
        )
        return RankedAverages(student_ids, cents, [1] * len(cents), overall)

    async def on_time_series(self, scope: GradeScope) -> OnTimeSeries:
        args = [_unit(scope.group_by), *_days(scope.window), scope.course_id]
        if scope.student_id is None:
            return _periods(await self._pool.fetch(_COURSE_ON_TIME, *args))
        return _periods(await self._pool.fetch(_STUDENT_ON_TIME, *args, scope.student_id))


def _unit(group_by: GroupBy | None) -> str | None:
    """The date_trunc field: GroupBy's values are date_trunc's names (week = ISO, from Monday)."""
    return None if group_by is None else group_by.value


def _days(window: DateWindow) -> tuple[date | None, date | None]:
    """The window as days: [first, after the last)."""
    end = None if window.end_date is None else window.end_date + timedelta(days=1)
    return window.start_date, end


def _tally(row: asyncpg.Record) -> Tally:
    return Tally(count=row["count"], total=row["total"], on_time=row["on_time"])


# The list and series queries select (student or period, count, total, on_time) first, in that
# order: by position, a course's 228 rows became objects in two thirds of the time by name.
def _student_tallies(rows: Iterable[asyncpg.Record]) -> list[StudentTally]:
    return [StudentTally(r[0], Tally(r[1], r[2], r[3])) for r in rows]


def _periods(rows: Iterable[asyncpg.Record]) -> list[PeriodTally]:
    return [PeriodTally(r[0], Tally(r[1], r[2], r[3])) for r in rows]
