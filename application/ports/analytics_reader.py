"""The read side of the analytics: the raw facts (current task grades, tallies per student) the
spreads, rankings and risk signals are computed from. Shaping and rounding belong to the use
cases, as for StatsReader."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class CurrentTaskGrade:
    """A student's current grade for one task of a course."""

    student_id: StudentId
    task_id: TaskId
    grade: Decimal
    on_time: bool
    graded_at: datetime


@dataclass(frozen=True, slots=True)
class StudentInCourse:
    """A student with any grade in a course: their course-level grades and current task grades."""

    student_id: StudentId
    course_grades: Tally
    task_grades: Tally


class AnalyticsReader(Protocol):
    async def task_grades(self, course_id: CourseId) -> list[CurrentTaskGrade]:
        """Every current task grade of the course, by task id then student id."""
        ...

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        """Every student with a course-level or a current task grade in the course, by id."""
        ...

    async def recent_task_grades(
        self, course_id: CourseId, per_student: int
    ) -> list[CurrentTaskGrade]:
        """Each student's last `per_student` current task grades in the course by graded_at
        (ties: the greater task id is the later), by student id, oldest first."""
        ...

    async def courses_of(self, student_id: StudentId) -> list[CourseId]:
        """The courses in which the student has a course-level or a current task grade, sorted."""
        ...

    async def task_ids(self, course_id: CourseId) -> list[TaskId]:
        """The tasks of the course that have a current grade, sorted."""
        ...

    def grades_by_student(
        self, course_id: CourseId, page_size: int = 1000
    ) -> AsyncIterator[list[CurrentTaskGrade]]:
        """Every current task grade of the course in pages of at most `page_size` grades, by
        student id then task id; lazily, so a large course can be streamed."""
        ...
