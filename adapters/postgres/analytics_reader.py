"""The analytics read side: aggregated in PostgreSQL, so that a course-wide figure crosses the
wire as a few rows instead of every grade.

numeric arithmetic is exact for sums, products and comparisons, so the aggregates (sums, sums of
squares, counts against exact bounds) are exact; nothing is divided or rounded here. Every value
is a bind parameter. Text ids are ordered with the "C" collation (code points), as the in-memory
adapter orders Python strings, whatever the database's default collation. Tables read, each
kept up to date by the store in the transaction that records a grade (a row whose tallies are all
zero means no row): course_task_tallies by its primary key (course_id, task_id) for a course's
task spreads and task ids (migration 0005 adds each task's sum of squares, histogram and values
at the quartile ranks); student_course_tallies by its index by course for a course's students,
by its primary key (student_id, course_id) for one student's courses, and by its index by course
again, holding the rounded task averages (migration 0005), for their rank in each;
student_course_recent_grades (migration 0005) by its primary key (course_id, student_id) for
the at-risk search and the last few grades of a page of students; current_task_grades by its
primary key (student_id, course_id, task_id) for all of a student's grades in their courses; current_task_grades_by_task (course_id, task_id; covering, migration 0003)
for the export's pages of a course's current grades.
"""

import uuid
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

import asyncpg

from adapters.postgres.pool import ConnectionPool
from application.ports import CurrentTaskGrade, StudentInCourse
from application.ports.analytics_reader import (
    RECENT_GRADES_KEPT,
    AverageCounts,
    CourseStandings,
    RecentTaskGrade,
    RiskBounds,
    RoundedAverage,
    StudentAtRisk,
    StudentCourseFacts,
    TaskSpreadFacts,
)
from domain.distribution import SpreadFacts
from domain.values import CourseId, StudentId, TaskId

_GRADE_COLUMNS = "student_id, task_id, grade, on_time, graded_at"

# The SpreadFacts of each task's current grades, kept by the store (migration 0005): `ranked`
# holds the values at domain.distribution.quartile_ranks(count).
_TASK_SPREADS = """
SELECT task_id, count, total, squares, on_time, histogram, ranked
FROM course_task_tallies
WHERE course_id = $1 AND count > 0
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

# One row of parallel arrays of whole numbers (aggregates of one node see the rows in one order):
# the course's students cross the wire without a record or a numeric each. The course-level
# average is rounded as task_average_cents (migration 0005) is.
_COURSE_STANDINGS = f"""
SELECT coalesce(array_agg(student_id), '{{}}'),
       coalesce(array_agg(CASE WHEN course_count > 0
                               THEN div(200 * course_total + course_count, 2 * course_count)::bigint
                          END), '{{}}'),
       coalesce(array_agg(task_average_cents), '{{}}'),
       coalesce(array_agg(task_count), '{{}}'),
       coalesce(array_agg(task_on_time), '{{}}')
FROM student_course_tallies
WHERE course_id = $1 AND {_ANY_GRADE}
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
# $4 the declining run (null: not asked). A student's latest grades are kept oldest first
# (student_course_recent_grades, migration 0005): the last $4 each scored lower than the one
# before when the array holds $4 and each of its last $4 - 1 neighbour pairs descends.
_DESCENDING = " AND ".join(
    f"($4 <= {k} OR r.grades[cardinality(r.grades) - {k}]"
    f" > r.grades[cardinality(r.grades) - {k - 1}])"
    for k in range(1, RECENT_GRADES_KEPT)
)
_STUDENTS_AT_RISK = f"""
SELECT t.student_id, t.task_count, t.task_total, t.task_on_time,
       r.task_ids, r.grades, r.graded_at
FROM student_course_tallies AS t
JOIN student_course_recent_grades AS r
  ON r.course_id = t.course_id AND r.student_id = t.student_id
WHERE t.course_id = $1 AND t.task_count > 0
  AND (t.task_total < $2::numeric * t.task_count
       OR t.task_on_time * 100 < $3::numeric * t.task_count
       OR (cardinality(r.grades) >= $4::int AND {_DESCENDING}))
ORDER BY t.student_id
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

# The same from the read model, for the last 1 to RECENT_GRADES_KEPT: a row per student.
_KEPT_RECENT_TASK_GRADES = """
SELECT student_id, task_ids, grades, graded_at
FROM student_course_recent_grades
WHERE course_id = $1 AND student_id = ANY($2::uuid[])
ORDER BY student_id
"""

# Each course of the student ($1) with their tallies there; with a task average, how many of the
# course's students have one, below and above theirs (as _AVERAGE_COUNTS); and all their current
# task grades there, oldest first (as _RECENT_TASK_GRADES): one snapshot, one round trip.
_STUDENT_COURSE_FACTS = f"""
SELECT t.course_id, t.{_TALLIES.replace(", ", ", t.")},
       s.with_average, s.below, s.above, g.task_ids, g.grades, g.graded_at
FROM student_course_tallies AS t
CROSS JOIN LATERAL (
    SELECT count(o.task_average_cents) AS with_average,
           count(*) FILTER (WHERE o.task_average_cents < t.task_average_cents) AS below,
           count(*) FILTER (WHERE o.task_average_cents > t.task_average_cents) AS above
    FROM student_course_tallies AS o
    WHERE o.course_id = t.course_id AND t.task_count > 0
) AS s
CROSS JOIN LATERAL (
    SELECT array_agg(c.task_id ORDER BY c.graded_at, c.task_id COLLATE "C") AS task_ids,
           array_agg(c.grade ORDER BY c.graded_at, c.task_id COLLATE "C") AS grades,
           array_agg(c.graded_at ORDER BY c.graded_at, c.task_id COLLATE "C") AS graded_at
    FROM current_task_grades AS c
    WHERE c.student_id = t.student_id AND c.course_id = t.course_id
) AS g
WHERE t.student_id = $1 AND (t.course_count > 0 OR t.task_count > 0)
ORDER BY t.course_id COLLATE "C"
"""

# A course's students with a task grade, counted by their rounded task average against the
# asked one, from the index by course (migration 0005 adds task_average_cents to it: the average
# rounded exactly by the database with every change of the tallies, null without a task grade),
# comparing integers rather than multiplying every student's exact sums.
_AVERAGE_COUNTS = """
SELECT asked.course_id,
       count(t.task_average_cents) AS with_average,
       count(*) FILTER (WHERE t.task_average_cents < asked.cents) AS below,
       count(*) FILTER (WHERE t.task_average_cents > asked.cents) AS above
FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS asked (course_id, cents, ordinality)
LEFT JOIN student_course_tallies AS t ON t.course_id = asked.course_id
GROUP BY asked.ordinality, asked.course_id
ORDER BY asked.ordinality
"""

_TASK_IDS = """
SELECT task_id
FROM course_task_tallies
WHERE course_id = $1 AND count > 0
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
                    ranked=tuple(r["ranked"]),
                    histogram=r["histogram"],
                ),
            )
            for r in await self._pool.fetch(_TASK_SPREADS, course_id)
        ]

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        return [StudentInCourse(*r) for r in await self._pool.fetch(_STUDENTS, course_id)]

    async def course_standings(self, course_id: CourseId) -> CourseStandings:
        return CourseStandings(*await self._pool.fetchrow(_COURSE_STANDINGS, course_id))

    async def task_totals(self, course_id: CourseId) -> list[tuple[int, Decimal]]:
        return [(r[0], r[1]) for r in await self._pool.fetch(_TASK_TOTALS, course_id)]

    async def students_at_risk(
        self, course_id: CourseId, bounds: RiskBounds, recent: int
    ) -> list[StudentAtRisk]:
        if recent > RECENT_GRADES_KEPT or (bounds.declining_run or 0) > RECENT_GRADES_KEPT:
            raise ValueError(f"at most the {RECENT_GRADES_KEPT} latest grades are kept")
        rows = await self._pool.fetch(
            _STUDENTS_AT_RISK, course_id, bounds.average_below, bounds.on_time_below,
            bounds.declining_run,
        )
        return [
            StudentAtRisk(
                r[0], r[1], r[2], r[3],
                [
                    RecentTaskGrade(*grade)
                    for grade in zip(r[4][-recent:], r[5][-recent:], r[6][-recent:], strict=True)
                ],
            )
            for r in rows
        ]

    async def recent_task_grades(
        self, course_id: CourseId, student_ids: Sequence[StudentId], last: int | None
    ) -> dict[StudentId, list[RecentTaskGrade]]:
        recent: dict[StudentId, list[RecentTaskGrade]] = {}
        if last is not None and 0 < last <= RECENT_GRADES_KEPT:
            for r in await self._pool.fetch(_KEPT_RECENT_TASK_GRADES, course_id, list(student_ids)):
                recent[r[0]] = [
                    RecentTaskGrade(*grade)
                    for grade in zip(r[1][-last:], r[2][-last:], r[3][-last:], strict=True)
                ]
            return recent
        for r in await self._pool.fetch(_RECENT_TASK_GRADES, course_id, list(student_ids), last):
            recent.setdefault(r[0], []).append(RecentTaskGrade(r[1], r[2], r[3]))
        return recent

    async def student_courses(self, student_id: StudentId) -> list[tuple[CourseId, StudentInCourse]]:
        rows = await self._pool.fetch(_STUDENT_COURSES, student_id)
        return [(r[0], StudentInCourse(*r[1:])) for r in rows]

    async def student_course_facts(self, student_id: StudentId) -> list[StudentCourseFacts]:
        return [
            StudentCourseFacts(
                r[0],
                StudentInCourse(*r[1:7]),
                AverageCounts(r[0], r[7], r[8], r[9]) if r[4] else None,
                [RecentTaskGrade(*grade) for grade in zip(r[10], r[11], r[12], strict=True)]
                if r[10] is not None
                else [],
            )
            for r in await self._pool.fetch(_STUDENT_COURSE_FACTS, student_id)
        ]

    async def average_counts(self, averages: Sequence[RoundedAverage]) -> list[AverageCounts]:
        if not averages:
            return []
        rows = await self._pool.fetch(
            _AVERAGE_COUNTS, [a.course_id for a in averages], [a.cents for a in averages]
        )
        return [AverageCounts(*r) for r in rows]

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
