"""The read side's results: one *View per query (see application.queries), and their parts.

Views are JSON-ready: figures are floats of values rounded half up to 2 decimals
(`domain.statistics.as_number`), ids are UUIDs or strings, times are aware datetimes.

A student's standing in a course is measured by their task average (the mean of their current task
grades) rounded to 2 decimals, the figure every view shows: ranks, percentiles, the distribution
of averages, the at-risk threshold and the `average` sort all use that same figure, so two
students shown with the same average always share a rank.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.periods import GroupBy
from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime | None
    end: datetime


@dataclass(frozen=True, slots=True)
class PeriodAverage:
    period: str
    average_grade: float | None
    grade_count: int


@dataclass(frozen=True, slots=True)
class PeriodOnTime:
    period: str
    on_time_count: int
    total_count: int
    percentage: float | None


@dataclass(frozen=True, slots=True)
class StudentAverage:
    student_id: StudentId
    average_grade: float | None
    grade_count: int


@dataclass(frozen=True, slots=True)
class PeerAverage:
    """Another student as a student sees them: a stable per-course alias, never their id."""

    alias: str
    average_grade: float | None
    grade_count: int


@dataclass(frozen=True, slots=True)
class StudentCourseSummaryView:
    student_id: StudentId
    course_id: CourseId
    average_grade: float | None
    task_average: float | None
    assignments_completed: int
    on_time_percentage: float | None


@dataclass(frozen=True, slots=True)
class StudentAverageView:
    student_id: StudentId
    average_grade: float | None
    grade_count: int
    averages: list[PeriodAverage]
    time_range: TimeRange
    group_by: GroupBy | None


@dataclass(frozen=True, slots=True)
class CourseAverageView:
    course_id: CourseId
    average_grade: float | None
    total_students: int
    averages: list[PeriodAverage]
    time_range: TimeRange
    group_by: GroupBy | None


@dataclass(frozen=True, slots=True)
class StudentTaskComparisonView:
    student_id: StudentId
    course_id: CourseId
    student_average: float | None
    other_students: list[StudentAverage] | list[PeerAverage]
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class TaskAveragesView:
    course_id: CourseId
    task_id: TaskId
    group_average: float | None
    students: list[StudentAverage]


@dataclass(frozen=True, slots=True)
class OnTimePercentageView:
    course_id: CourseId
    student_id: StudentId | None
    data: list[PeriodOnTime] = field(default_factory=list)
    time_range: TimeRange | None = None
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class TaskSpread:
    task_id: TaskId
    graded_count: int
    average: float | None
    min: float | None
    first_quartile: float | None
    median: float | None
    third_quartile: float | None
    max: float | None
    std_dev: float | None
    histogram: list[int]
    on_time_count: int
    late_count: int


@dataclass(frozen=True, slots=True)
class TaskSpreadsView:
    course_id: CourseId
    tasks: list[TaskSpread]


@dataclass(frozen=True, slots=True)
class RecentGrade:
    task_id: TaskId
    grade: float
    graded_at: datetime


class Trend(StrEnum):
    """Where a student's last three current task grades (by graded_at) go."""

    RISING = "rising"  # each higher than the one before
    DECLINING = "declining"  # each lower than the one before
    MIXED = "mixed"  # neither: up and down, or level


@dataclass(frozen=True, slots=True)
class StudentStanding:
    student_id: StudentId
    average_grade: float | None  # the task average; None without a current task grade
    course_grade_average: float | None
    assignments_completed: int
    on_time_percentage: float | None
    rank: int | None  # 1 = best task average; ties share; None without a task average
    percentile: float | None  # share (0-100) of the course's ranked students with a lower one
    trend: Trend | None  # None with fewer than three current task grades
    recent_grades: list[RecentGrade]  # the last three by graded_at, oldest first


@dataclass(frozen=True, slots=True)
class CourseStudentsView:
    course_id: CourseId
    items: list[StudentStanding]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class AverageDistributionView:
    """The spread of the task averages of the course's students (those with a task grade)."""

    course_id: CourseId
    student_count: int
    mean: float | None
    min: float | None
    first_quartile: float | None
    median: float | None
    third_quartile: float | None
    max: float | None
    std_dev: float | None
    histogram: list[int]


class RiskReason(StrEnum):
    LOW_AVERAGE = "low_average"
    LOW_ON_TIME = "low_on_time"
    DECLINING = "declining"


@dataclass(frozen=True, slots=True)
class AtRiskStudent:
    """A student and why: the reasons, and the figures they were judged on."""

    student_id: StudentId
    reasons: list[RiskReason]
    average_grade: float | None
    on_time_percentage: float | None
    assignments_completed: int
    recent_grades: list[RecentGrade]  # the last three by graded_at, oldest first


@dataclass(frozen=True, slots=True)
class AtRiskView:
    course_id: CourseId
    grade_below: float
    on_time_below: float
    declining: bool
    students: list[AtRiskStudent]


@dataclass(frozen=True, slots=True)
class StudentCourseStanding:
    course_id: CourseId
    average_grade: float | None
    task_average: float | None
    assignments_completed: int
    on_time_percentage: float | None
    rank: int | None
    percentile: float | None
    trend: Trend | None  # as in StudentStanding
    task_grades: list[RecentGrade]  # every current task grade there, by graded_at, oldest first


@dataclass(frozen=True, slots=True)
class StudentCoursesView:
    student_id: StudentId
    courses: list[StudentCourseStanding]
