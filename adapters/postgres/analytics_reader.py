"""The analytics read side over the base tables course_grades and current_task_grades.

Every value is a bind parameter. Text ids are ordered with the "C" collation (code points), as the
in-memory adapter orders Python strings, whatever the database's default collation. Indexes used:
current_task_grades_by_task (course_id, task_id) for a course's grades, course_grades_by_course
for a course's course-level grades, and course_grades_by_student with current_task_grades' primary
key (student_id, course_id, task_id) for a student's courses.
"""

import uuid
from collections.abc import AsyncIterator

import asyncpg

from application.ports import CurrentTaskGrade, StudentInCourse
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId

_GRADE_COLUMNS = "student_id, task_id, grade, on_time, graded_at"

_TASK_GRADES = f"""
SELECT {_GRADE_COLUMNS}
FROM current_task_grades
WHERE course_id = $1
ORDER BY task_id COLLATE "C", student_id
"""

_TALLY = (
    "count(*) AS count, coalesce(sum(grade), 0) AS total, count(*) FILTER (WHERE on_time) AS on_time"
)

_STUDENTS = f"""
WITH course AS (
    SELECT student_id, {_TALLY} FROM course_grades WHERE course_id = $1 GROUP BY student_id
), task AS (
    SELECT student_id, {_TALLY} FROM current_task_grades WHERE course_id = $1 GROUP BY student_id
)
SELECT student_id,
       coalesce(course.count, 0) AS course_count,
       coalesce(course.total, 0) AS course_total,
       coalesce(course.on_time, 0) AS course_on_time,
       coalesce(task.count, 0) AS task_count,
       coalesce(task.total, 0) AS task_total,
       coalesce(task.on_time, 0) AS task_on_time
FROM course FULL JOIN task USING (student_id)
ORDER BY student_id
"""

_RECENT_TASK_GRADES = f"""
SELECT {_GRADE_COLUMNS}
FROM (
    SELECT {_GRADE_COLUMNS},
           row_number() OVER (
               PARTITION BY student_id ORDER BY graded_at DESC, task_id COLLATE "C" DESC
           ) AS recency
    FROM current_task_grades
    WHERE course_id = $1
) AS ranked
WHERE recency <= $2
ORDER BY student_id, graded_at, task_id COLLATE "C"
"""

_COURSES_OF = """
SELECT course_id
FROM (
    SELECT course_id FROM course_grades WHERE student_id = $1
    UNION
    SELECT course_id FROM current_task_grades WHERE student_id = $1
) AS courses
ORDER BY course_id COLLATE "C"
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
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def task_grades(self, course_id: CourseId) -> list[CurrentTaskGrade]:
        return [_grade(r) for r in await self._pool.fetch(_TASK_GRADES, course_id)]

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        rows = await self._pool.fetch(_STUDENTS, course_id)
        return [
            StudentInCourse(
                r["student_id"],
                Tally(r["course_count"], r["course_total"], r["course_on_time"]),
                Tally(r["task_count"], r["task_total"], r["task_on_time"]),
            )
            for r in rows
        ]

    async def recent_task_grades(
        self, course_id: CourseId, per_student: int
    ) -> list[CurrentTaskGrade]:
        rows = await self._pool.fetch(_RECENT_TASK_GRADES, course_id, per_student)
        return [_grade(r) for r in rows]

    async def courses_of(self, student_id: StudentId) -> list[CourseId]:
        return [r["course_id"] for r in await self._pool.fetch(_COURSES_OF, student_id)]

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
