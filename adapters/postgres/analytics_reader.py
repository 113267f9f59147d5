"""The analytics read side: aggregated in PostgreSQL, so that a course-wide figure crosses the
wire as a few rows instead of every grade.

numeric arithmetic is exact for sums, products and comparisons, so the aggregates (sums, sums of
squares, counts against exact bounds) are exact; nothing is divided or rounded here. Every value
is a bind parameter. Text ids are ordered with the "C" collation (code points), as the in-memory
adapter orders Python strings, whatever the database's default collation. Tables and indexes
used: current_task_grades_by_task (course_id, task_id; it holds the columns read here, migration
0003) for a course's current grades, and current_task_grades' primary key (student_id, course_id,
task_id) for a few students' recent ones; student_course_tallies (migration 0002, kept up to date
with every grade; a row whose tallies are all zero means no row) by its index by course, and by
its primary key (student_id, course_id) for one student's courses.
"""

import uuid
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

import asyncpg

from adapters.postgres.pool import ConnectionPool
from application.ports import CurrentTaskGrade, StudentInCourse
from application.ports.analytics_reader import (
    AverageBounds,
    AverageCounts,
    RecentTaskGrade,
    RiskBounds,
    StudentAtRisk,
    TaskSpreadFacts,
)
from domain.distribution import SpreadFacts
from domain.values import CourseId, StudentId, TaskId

_GRADE_COLUMNS = "student_id, task_id, grade, on_time, graded_at"

# The SpreadFacts of each task's current grades. `ordered` is 1-based: r0..r7 are the values at
# domain.distribution.quartile_ranks(count) - 0; for q = 1/4, 2/4, 3/4 the rank
# floor((count - 1) * q) and the next one (or the same, at the end); count - 1. The histogram's
# bins [0,1) ... [8,9), [9,10] are differences of the counts below 1 ... 9.
_TASK_SPREADS = """
SELECT task_id, count, total, squares, on_time,
       ARRAY[below[1], below[2] - below[1], below[3] - below[2], below[4] - below[3],
             below[5] - below[4], below[6] - below[5], below[7] - below[6],
             below[8] - below[7], below[9] - below[8], count - below[9]] AS histogram,
       ordered[1] AS r0,
       ordered[(count - 1) / 4 + 1] AS r1,
       ordered[least((count - 1) / 4 + 2, count)] AS r2,
       ordered[(count - 1) * 2 / 4 + 1] AS r3,
       ordered[least((count - 1) * 2 / 4 + 2, count)] AS r4,
       ordered[(count - 1) * 3 / 4 + 1] AS r5,
       ordered[least((count - 1) * 3 / 4 + 2, count)] AS r6,
       ordered[count] AS r7
FROM (
    SELECT task_id,
           count(*) AS count,
           sum(grade) AS total,
           sum(grade * grade) AS squares,
           count(*) FILTER (WHERE on_time) AS on_time,
           array_agg(grade ORDER BY grade) AS ordered,
           ARRAY[count(*) FILTER (WHERE grade < 1), count(*) FILTER (WHERE grade < 2),
                 count(*) FILTER (WHERE grade < 3), count(*) FILTER (WHERE grade < 4),
                 count(*) FILTER (WHERE grade < 5), count(*) FILTER (WHERE grade < 6),
                 count(*) FILTER (WHERE grade < 7), count(*) FILTER (WHERE grade < 8),
                 count(*) FILTER (WHERE grade < 9)] AS below
    FROM current_task_grades
    WHERE course_id = $1
    GROUP BY task_id
) AS per_task
ORDER BY task_id COLLATE "C"
"""

_TALLIES = "student_id, course_count, course_total, task_count, task_total, task_on_time"
_ANY_GRADE = "(course_count > 0 OR task_count > 0)"

_STUDENTS = f"""
SELECT {_TALLIES}
FROM student_course_tallies
WHERE course_id = $1 AND {_ANY_GRADE}
ORDER BY student_id
"""

_TASK_TOTALS = """
SELECT task_count, task_total
FROM student_course_tallies
WHERE course_id = $1 AND task_count > 0
"""

_STUDENT_COURSES = f"""
SELECT course_id, {_TALLIES}
FROM student_course_tallies
WHERE student_id = $1 AND {_ANY_GRADE}
ORDER BY course_id COLLATE "C"
"""

# The students RiskBounds keep. $2 the exact bound on the average, $3 on the on-time share,
# $4 the declining run (null: not asked), $5 how many recent grades to return. Each student's grades
# are numbered from the latest (graded_at, then task id), each with the grade before it
# (`earlier`): the last $4 grades each scored lower than the one before when the $4 - 1 latest
# are each lower than their `earlier` (a missing one is not lower).
_STUDENTS_AT_RISK = """
WITH numbered AS (
    SELECT student_id, task_id, grade, graded_at,
           row_number() OVER latest_first AS recency,
           lead(grade) OVER latest_first AS earlier
    FROM current_task_grades
    WHERE course_id = $1
    WINDOW latest_first AS (PARTITION BY student_id ORDER BY graded_at DESC, task_id COLLATE "C" DESC)
), last AS (
    SELECT student_id,
           array_agg(task_id ORDER BY recency DESC) FILTER (WHERE recency <= $5) AS task_ids,
           array_agg(grade ORDER BY recency DESC) FILTER (WHERE recency <= $5) AS grades,
           array_agg(graded_at ORDER BY recency DESC) FILTER (WHERE recency <= $5) AS graded_at,
           count(*) FILTER (WHERE recency < $4 AND grade < earlier) = $4 - 1 AS declining
    FROM numbered
    WHERE recency <= greatest($5::bigint, $4::bigint)
    GROUP BY student_id
)
SELECT tallies.student_id, task_count, task_total, task_on_time,
       last.task_ids, last.grades, last.graded_at
FROM student_course_tallies AS tallies
JOIN last USING (student_id)
WHERE tallies.course_id = $1 AND task_count > 0
  AND (task_total < $2::numeric * task_count
       OR task_on_time * 100 < $3::numeric * task_count
       OR coalesce(last.declining, false))
ORDER BY tallies.student_id
"""

# The last $3 (every one, for null) current task grades in course $1 of each of the students $2,
# numbered from the latest (graded_at, then task id) as for the declining run; oldest first.
_RECENT_TASK_GRADES = """
SELECT student_id, task_id, grade, graded_at
FROM (
    SELECT student_id, task_id, grade, graded_at,
           row_number() OVER (PARTITION BY student_id
                              ORDER BY graded_at DESC, task_id COLLATE "C" DESC) AS recency
    FROM current_task_grades
    WHERE course_id = $1 AND student_id = ANY($2::uuid[])
) AS numbered
WHERE $3::bigint IS NULL OR recency <= $3::bigint
ORDER BY student_id, recency DESC
"""

# A course's students with a task grade, counted against exact bounds on their task average:
# total / count < low  <=>  total < low * count (count > 0), and the same for high.
_AVERAGE_COUNTS = """
SELECT bounds.ordinality, bounds.course_id,
       count(tallies.task_count) AS with_average,
       count(*) FILTER (WHERE tallies.task_total < bounds.low * tallies.task_count) AS below,
       count(*) FILTER (WHERE tallies.task_total >= bounds.high * tallies.task_count) AS at_least
FROM unnest($1::text[], $2::numeric[], $3::numeric[])
         WITH ORDINALITY AS bounds (course_id, low, high, ordinality)
LEFT JOIN student_course_tallies AS tallies
       ON tallies.course_id = bounds.course_id AND tallies.task_count > 0
GROUP BY bounds.ordinality, bounds.course_id
ORDER BY bounds.ordinality
"""

_TASK_IDS = """
SELECT task_id
FROM current_task_grades
WHERE course_id = $1
GROUP BY task_id
ORDER BY task_id COLLATE "C"
"""

# Keyset pages: the first page starts after (the nil UUID, ''), before every row (ids are not empty).
_GRADES_BY_STUDENT_PAGE = f"""
SELECT {_GRADE_COLUMNS}
FROM current_task_grades
WHERE course_id = $1 AND (student_id, task_id COLLATE "C") > ($2::uuid, $3::text COLLATE "C")
ORDER BY student_id, task_id COLLATE "C"
LIMIT $4
"""


class PostgresAnalyticsReader:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    async def task_spreads(self, course_id: CourseId) -> list[TaskSpreadFacts]:
        return [
            TaskSpreadFacts(
                r["task_id"],
                r["on_time"],
                SpreadFacts(
                    count=r["count"],
                    total=r["total"],
                    total_of_squares=r["squares"],
                    ranked=(r["r0"], r["r1"], r["r2"], r["r3"], r["r4"], r["r5"], r["r6"],
                            r["r7"]),
                    histogram=r["histogram"],
                ),
            )
            for r in await self._pool.fetch(_TASK_SPREADS, course_id)
        ]

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        return [StudentInCourse(*r) for r in await self._pool.fetch(_STUDENTS, course_id)]

    async def task_totals(self, course_id: CourseId) -> list[tuple[int, Decimal]]:
        return [(r[0], r[1]) for r in await self._pool.fetch(_TASK_TOTALS, course_id)]

    async def students_at_risk(
        self, course_id: CourseId, bounds: RiskBounds, recent: int
    ) -> list[StudentAtRisk]:
        rows = await self._pool.fetch(
            _STUDENTS_AT_RISK, course_id, bounds.average_below, bounds.on_time_below,
            bounds.declining_run, recent,
        )
        return [
            StudentAtRisk(
                r[0], r[1], r[2], r[3],
                [RecentTaskGrade(*grade) for grade in zip(r[4], r[5], r[6], strict=True)],
            )
            for r in rows
        ]

    async def recent_task_grades(
        self, course_id: CourseId, student_ids: Sequence[StudentId], last: int | None
    ) -> dict[StudentId, list[RecentTaskGrade]]:
        recent: dict[StudentId, list[RecentTaskGrade]] = {}
        for r in await self._pool.fetch(_RECENT_TASK_GRADES, course_id, list(student_ids), last):
            recent.setdefault(r[0], []).append(RecentTaskGrade(r[1], r[2], r[3]))
        return recent

    async def student_courses(self, student_id: StudentId) -> list[tuple[CourseId, StudentInCourse]]:
        rows = await self._pool.fetch(_STUDENT_COURSES, student_id)
        return [(r[0], StudentInCourse(*r[1:])) for r in rows]

    async def average_counts(self, bounds: Sequence[AverageBounds]) -> list[AverageCounts]:
        if not bounds:
            return []
        rows = await self._pool.fetch(
            _AVERAGE_COUNTS,
            [b.course_id for b in bounds],
            [b.low for b in bounds],
            [b.high for b in bounds],
        )
        return [AverageCounts(*r[1:]) for r in rows]

    async def task_ids(self, course_id: CourseId) -> list[TaskId]:
        return [r["task_id"] for r in await self._pool.fetch(_TASK_IDS, course_id)]

    async def grades_by_student(
        self, course_id: CourseId, page_size: int = 1000
    ) -> AsyncIterator[list[CurrentTaskGrade]]:
        after: tuple[uuid.UUID, str] = (uuid.UUID(int=0), "")
        while True:
            rows = await self._pool.fetch(_GRADES_BY_STUDENT_PAGE, course_id, *after, page_size)
            if not rows:
                return
            page = [_grade(r) for r in rows]
            yield page
            if len(rows) < page_size:
                return
            after = (page[-1].student_id, page[-1].task_id)


def _grade(row: asyncpg.Record) -> CurrentTaskGrade:
    return CurrentTaskGrade(
        row["student_id"], row["task_id"], row["grade"], row["on_time"], row["graded_at"]
    )
