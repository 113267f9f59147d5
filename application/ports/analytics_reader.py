"""The read side of the analytics: the facts the spreads, rankings and risk signals are computed
from - aggregated where a course-wide figure needs only a few numbers of many grades (so a
database can do the aggregating), raw where every value counts. Shaping and rounding belong to
the use cases and the domain, as for StatsReader.

Rows about many students are plain tuples: a course has hundreds of them and a use case reads them
once."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, Protocol

from domain.distribution import SpreadFacts
from domain.values import CourseId, StudentId, TaskId

# The most latest grades per student a risk search may ask for (its `recent` and declining run):
# a store may keep only these ready.
RECENT_GRADES_KEPT = 3


@dataclass(frozen=True, slots=True)
class CurrentTaskGrade:
    """A student's current grade for one task of a course."""

    student_id: StudentId
    task_id: TaskId
    grade: Decimal
    on_time: bool
    graded_at: datetime


class StudentInCourse(NamedTuple):
    """A student with any grade in a course: the count and exact sum of their course-level grades,
    and the count, exact sum and on-time count of their current task grades."""

    student_id: StudentId
    course_count: int
    course_total: Decimal
    task_count: int
    task_total: Decimal
    task_on_time: int


class RecentTaskGrade(NamedTuple):
    task_id: TaskId
    grade: Decimal
    graded_at: datetime


class StudentAtRisk(NamedTuple):
    """A student who meets RiskBounds: the count, exact sum and on-time count of their current
    task grades in the course, and their last few of those by graded_at, oldest first."""

    student_id: StudentId
    task_count: int
    task_total: Decimal
    task_on_time: int
    recent: list[RecentTaskGrade]


@dataclass(frozen=True, slots=True)
class RiskBounds:
    """Which students with a current task grade a course's risk search keeps: those whose exact
    task average is below `average_below`, those whose exact on-time share (0-100) is below
    `on_time_below`, and, unless `declining_run` is None, those whose last `declining_run` grades
    by graded_at (ties: the greater task id is the later) each scored lower than the one before
    (domain.distribution.is_declining)."""

    average_below: Decimal
    on_time_below: Decimal
    declining_run: int | None


@dataclass(frozen=True, slots=True)
class TaskSpreadFacts:
    """The current grades of one task of a course: the facts of their spread, and how many of them
    were on time."""

    task_id: TaskId
    on_time: int
    facts: SpreadFacts


@dataclass(frozen=True, slots=True)
class RoundedAverage:
    """Asks how many students of a course have a task average that, rounded half up to whole
    cents (domain.statistics.average_cents), is below `cents` and how many one above it."""

    course_id: CourseId
    cents: int


class AverageCounts(NamedTuple):
    """The answer to RoundedAverage: how many students of the course have a current task grade,
    how many of them a rounded task average below `cents`, how many one above it."""

    course_id: CourseId
    with_average: int
    below: int
    above: int


class StudentCourseFacts(NamedTuple):
    """A course a student has a course-level or a current task grade in: their grades there;
    how many students of the course have a rounded task average and how many one below and
    above theirs (as RoundedAverage asks; None when they have no current task grade there); and
    every current task grade of theirs there, oldest first (ordered as for RiskBounds' declining
    run). All read at one moment."""

    course_id: CourseId
    student: StudentInCourse
    standing: AverageCounts | None
    grades: list[RecentTaskGrade]


@dataclass(frozen=True, slots=True)
class CourseStandings:
    """Every student with a course-level or a current task grade in a course, in no particular
    order, as parallel lists of whole numbers: their course-level average and their task average
    rounded half up to cents (domain.statistics.average_cents; None without such grades), and
    the count and on-time count of their current task grades."""

    student_ids: list[StudentId]
    course_average_cents: list[int | None]
    task_average_cents: list[int | None]
    task_counts: list[int]
    task_on_times: list[int]


class AnalyticsReader(Protocol):
    async def task_spreads(self, course_id: CourseId) -> list[TaskSpreadFacts]:
        """Each task of the course that has a current grade, by task id: the SpreadFacts of its
        current grades and their on-time count."""
        ...

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        """Every student with a course-level or a current task grade in the course, by id."""
        ...

    async def course_standings(self, course_id: CourseId) -> CourseStandings:
        """The students of `students`, with the figures their standings are made of."""
        ...

    async def task_totals(self, course_id: CourseId) -> list[tuple[int, Decimal]]:
        """The count and exact sum of the current task grades of each student with any in the
        course, in no particular order."""
        ...

    async def students_at_risk(
        self, course_id: CourseId, bounds: RiskBounds, recent: int
    ) -> list[StudentAtRisk]:
        """The students of the course that `bounds` keep, by id, each with their last `recent`
        (> 0) current task grades (ordered as for RiskBounds' declining run). ValueError when
        `recent` or the declining run is above RECENT_GRADES_KEPT."""
        ...

    async def recent_task_grades(
        self, course_id: CourseId, student_ids: Sequence[StudentId], last: int | None
    ) -> dict[StudentId, list[RecentTaskGrade]]:
        """For each of `student_ids` with a current task grade in the course, their last `last`
        ones (every one for None), oldest first (ordered as for RiskBounds' declining run)."""
        ...

    async def student_courses(self, student_id: StudentId) -> list[tuple[CourseId, StudentInCourse]]:
        """Each course in which the student has a course-level or a current task grade, sorted,
        with the student's grades there."""
        ...

    async def student_course_facts(self, student_id: StudentId) -> list[StudentCourseFacts]:
        """Each course in which the student has a course-level or a current task grade, sorted:
        student_courses, with average_counts for their rounded task average there and their
        recent_task_grades (every one) there, in one read."""
        ...

    async def average_counts(self, averages: Sequence[RoundedAverage]) -> list[AverageCounts]:
        """For each RoundedAverage, in the same order, the counts of its course's students."""
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
