"""The read side: raw tallies (counts, exact sums). Rounding and shaping belong to the use cases."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.periods import DateWindow, GroupBy
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class PeriodTally:
    """A tally for one bucket; `start` is None for the ungrouped (all-time) series."""

    start: datetime | None
    tally: Tally


@dataclass(frozen=True, slots=True)
class CourseGradeSeries:
    overall: Tally
    students: int
    periods: list[PeriodTally]


@dataclass(frozen=True, slots=True)
class StudentTally:
    student_id: StudentId
    tally: Tally


@dataclass(frozen=True, slots=True)
class StudentCourseTallies:
    course_grades: Tally
    task_grades: Tally


OnTimeSeries = list[PeriodTally]


class StatsReader(Protocol):
    async def student_course(
        self, student_id: StudentId, course_id: CourseId
    ) -> StudentCourseTallies:
        """The student's course-level grades and current task grades in one course."""
        ...

    async def course_grade_series(
        self,
        *,
        window: DateWindow,
        group_by: GroupBy | None,
        student_id: StudentId | None = None,
        course_id: CourseId | None = None,
    ) -> CourseGradeSeries:
        """Course-level grades filtered by student and/or course, bucketed by graded_at.

        Periods are in ascending order and only those with grades appear.
        """
        ...

    async def task_tallies_by_student(self, course_id: CourseId) -> list[StudentTally]:
        """Each student's current task grades in the course."""
        ...

    async def task_tallies_for_task(self, course_id: CourseId, task_id: TaskId) -> list[StudentTally]:
        """Each student's current grade for one task."""
        ...

    async def on_time_series(
        self,
        *,
        course_id: CourseId,
        window: DateWindow,
        group_by: GroupBy | None,
        student_id: StudentId | None = None,
    ) -> OnTimeSeries:
        """Current task grades of the course (and student), bucketed by graded_at, ascending."""
        ...
