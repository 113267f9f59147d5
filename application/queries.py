"""Read-side inputs and the *View results they produce."""

from dataclasses import dataclass, field
from datetime import datetime

from domain.periods import DateWindow, GroupBy
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


# --- GET /stats/student/{student_id}/course/{course_id}


@dataclass(frozen=True, slots=True)
class GetStudentCourseSummary:
    student_id: StudentId
    course_id: CourseId


@dataclass(frozen=True, slots=True)
class StudentCourseSummaryView:
    student_id: StudentId
    course_id: CourseId
    average_grade: float | None
    task_average: float | None
    assignments_completed: int
    on_time_percentage: float | None


# --- GET /stats/student/{student_id}/average


@dataclass(frozen=True, slots=True)
class GetStudentAverage:
    student_id: StudentId
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class StudentAverageView:
    student_id: StudentId
    average_grade: float | None
    grade_count: int
    averages: list[PeriodAverage]
    time_range: TimeRange
    group_by: GroupBy | None


# --- GET /stats/course/{course_id}/average


@dataclass(frozen=True, slots=True)
class GetCourseAverage:
    course_id: CourseId
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class CourseAverageView:
    course_id: CourseId
    average_grade: float | None
    total_students: int
    averages: list[PeriodAverage]
    time_range: TimeRange
    group_by: GroupBy | None


# --- GET /stats/student/{student_id}/course/{course_id}/task/average


@dataclass(frozen=True, slots=True)
class GetStudentTaskComparison:
    student_id: StudentId
    course_id: CourseId
    anonymize_peers: bool = False  # when a student asks: peers appear under aliases


@dataclass(frozen=True, slots=True)
class StudentTaskComparisonView:
    student_id: StudentId
    course_id: CourseId
    student_average: float | None
    other_students: list[StudentAverage] | list[PeerAverage]
    warning: str | None = None


# --- GET /stats/course/{course_id}/task/{task_id}/averages


@dataclass(frozen=True, slots=True)
class GetTaskAverages:
    course_id: CourseId
    task_id: TaskId


@dataclass(frozen=True, slots=True)
class TaskAveragesView:
    course_id: CourseId
    task_id: TaskId
    group_average: float | None
    students: list[StudentAverage]


# --- GET /stats/course/{course_id}[/student/{student_id}]/on_time_percentage


@dataclass(frozen=True, slots=True)
class GetOnTimePercentage:
    course_id: CourseId
    student_id: StudentId | None = None
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class OnTimePercentageView:
    course_id: CourseId
    student_id: StudentId | None
    data: list[PeriodOnTime] = field(default_factory=list)
    time_range: TimeRange | None = None
    group_by: GroupBy | None = None
