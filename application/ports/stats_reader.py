"""The read side: raw tallies (counts, exact sums). Rounding and shaping belong to the use cases."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.periods import DateWindow, GroupBy
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class GradeScope:
    """The grades a series counts, those of the student and/or the course graded within the
    window, and how it buckets them by graded_at (one all-time period without `group_by`)."""

    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None
    student_id: StudentId | None = None
    course_id: CourseId | None = None


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


@dataclass(frozen=True, slots=True)
class RankedAverages:
    """Students by their average rounded half up to whole cents (domain.statistics.average_cents),
    highest first, students with the same cents by id: `student_ids`, `cents` and `counts` (how
    many grades each average is of) are parallel. `overall_cents` is the rounded average of all
    their grades together (None when there are none; not computed where not asked for)."""

    student_ids: list[StudentId]
    cents: list[int]
    counts: list[int]
    overall_cents: int | None = None


class StatsReader(Protocol):
    async def student_course(
        self, student_id: StudentId, course_id: CourseId
    ) -> StudentCourseTallies:
        """The student's course-level grades and current task grades in one course."""
        ...

    async def course_grade_series(self, scope: GradeScope) -> CourseGradeSeries:
        """The course-level grades of the scope. Periods are in ascending order and only those
        with grades appear."""
        ...

    async def task_tallies_by_student(self, course_id: CourseId) -> list[StudentTally]:
        """Each student's current task grades in the course."""
        ...

    async def task_tallies_for_task(self, course_id: CourseId, task_id: TaskId) -> list[StudentTally]:
        """Each student's current grade for one task."""
        ...

    async def on_time_series(self, scope: GradeScope) -> OnTimeSeries:
        """The current task grades of the scope (none without its course), periods ascending."""
        ...

    async def ranked_task_averages(self, course_id: CourseId) -> RankedAverages:
        """Each student with a current task grade in the course, by their task average there
        (task_tallies_by_student, ranked); without `overall_cents`."""
        ...

    async def ranked_task_grades(self, course_id: CourseId, task_id: TaskId) -> RankedAverages:
        """Each student's current grade for one task, ranked, with the rounded average of all
        of them (task_tallies_for_task, ranked)."""
        ...
