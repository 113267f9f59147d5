"""Analytics inputs, the rules their parameters obey, and the *View results they produce.

Views are JSON-ready: figures are floats of values rounded half up to 2 decimals
(`domain.statistics.as_number`), ids are UUIDs or strings, times are aware datetimes.

A student's standing in a course is measured by their task average (the mean of their current task
grades) rounded to 2 decimals, the figure every view shows: ranks, percentiles, the distribution
of averages, the at-risk threshold and the `average` sort all use that same figure, so two
students shown with the same average always share a rank.
"""

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import ErrorCollector, InvalidInput
from domain.values import CourseId, StudentId, TaskId, parse_course_id, parse_student_id

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
DEFAULT_GRADE_BELOW = Decimal(4)
DEFAULT_ON_TIME_BELOW = Decimal(60)
DECLINING_RUN = 3


class StudentSort(StrEnum):
    AVERAGE = "average"
    ON_TIME_PERCENTAGE = "on_time_percentage"
    ASSIGNMENTS_COMPLETED = "assignments_completed"
    STUDENT_ID = "student_id"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


def default_order(sort: StudentSort) -> SortOrder:
    """Ids ascending; every measure best (highest) first."""
    return SortOrder.ASC if sort is StudentSort.STUDENT_ID else SortOrder.DESC


# --- GET /stats/course/{course_id}/tasks


@dataclass(frozen=True, slots=True)
class GetTaskSpreads:
    course_id: CourseId


@dataclass(frozen=True, slots=True)
class TaskSpread:
    task_id: TaskId
    graded_count: int
    average: float | None
    min: float | None
    max: float | None
    median: float | None
    first_quartile: float | None
    third_quartile: float | None
    std_dev: float | None
    histogram: list[int]
    on_time_count: int
    late_count: int


@dataclass(frozen=True, slots=True)
class TaskSpreadsView:
    course_id: CourseId
    tasks: list[TaskSpread]


# --- GET /stats/course/{course_id}/students


@dataclass(frozen=True, slots=True)
class StudentsCursor:
    """Where a page ended: the sort key and the id of its last student, for the listing it was
    issued for (a cursor of another sort or order is refused)."""

    sort: StudentSort
    order: SortOrder
    key: str | None  # the last student's sort value as an exact decimal string; None for no value
    student_id: StudentId

    def encode(self) -> str:
        payload = {"s": self.sort.value, "o": self.order.value, "k": self.key,
                   "i": str(self.student_id)}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class GetCourseStudents:
    course_id: CourseId
    sort: StudentSort = StudentSort.AVERAGE
    order: SortOrder = SortOrder.DESC
    limit: int = DEFAULT_PAGE_SIZE
    after: StudentsCursor | None = None


@dataclass(frozen=True, slots=True)
class StudentStanding:
    student_id: StudentId
    average_grade: float | None  # the task average; None without a current task grade
    course_grade_average: float | None
    assignments_completed: int
    on_time_percentage: float | None
    rank: int | None  # 1 = best task average; ties share; None without a task average
    percentile: float | None  # share (0-100) of the course's ranked students with a lower one


@dataclass(frozen=True, slots=True)
class CourseStudentsView:
    course_id: CourseId
    items: list[StudentStanding]
    next_cursor: str | None


# --- GET /stats/course/{course_id}/distribution


@dataclass(frozen=True, slots=True)
class GetAverageDistribution:
    course_id: CourseId


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


# --- GET /stats/course/{course_id}/at_risk


class RiskReason(StrEnum):
    LOW_AVERAGE = "low_average"
    LOW_ON_TIME = "low_on_time"
    DECLINING = "declining"


@dataclass(frozen=True, slots=True)
class GetAtRiskStudents:
    course_id: CourseId
    grade_below: Decimal = DEFAULT_GRADE_BELOW
    on_time_below: Decimal = DEFAULT_ON_TIME_BELOW
    declining: bool = True


@dataclass(frozen=True, slots=True)
class RecentGrade:
    task_id: TaskId
    grade: float
    graded_at: datetime


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


# --- GET /stats/student/{student_id}/courses


@dataclass(frozen=True, slots=True)
class GetStudentCourses:
    student_id: StudentId


@dataclass(frozen=True, slots=True)
class StudentCourseStanding:
    course_id: CourseId
    average_grade: float | None
    task_average: float | None
    assignments_completed: int
    on_time_percentage: float | None
    rank: int | None
    percentile: float | None


@dataclass(frozen=True, slots=True)
class StudentCoursesView:
    student_id: StudentId
    courses: list[StudentCourseStanding]


# --- GET /stats/course/{course_id}/export.csv


@dataclass(frozen=True, slots=True)
class ExportCourseGrades:
    course_id: CourseId


# --- Parameter rules. Each parser takes the raw query value (a string, or None when absent)
# or an already typed value, and raises InvalidInput naming its field.

_INTEGER = re.compile(r"[0-9]{1,9}")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_sort(raw: object, field: str = "sort") -> StudentSort:
    if raw is None or raw == "":
        return StudentSort.AVERAGE
    if isinstance(raw, str) and raw in set(StudentSort):
        return StudentSort(raw)
    choices = "|".join(s.value for s in StudentSort)
    raise InvalidInput.one(field, f"must be one of {choices}, got {raw!r}")


def parse_order(raw: object, sort: StudentSort, field: str = "order") -> SortOrder:
    if raw is None or raw == "":
        return default_order(sort)
    if isinstance(raw, str) and raw in set(SortOrder):
        return SortOrder(raw)
    raise InvalidInput.one(field, f"must be asc or desc, got {raw!r}")


def parse_limit(raw: object, field: str = "limit") -> int:
    message = f"must be a whole number from 1 to {MAX_PAGE_SIZE}"
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    if isinstance(raw, str) and _INTEGER.fullmatch(raw):
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= MAX_PAGE_SIZE:
        return raw
    raise InvalidInput.one(field, message)


def parse_cursor(raw: object, field: str = "cursor") -> StudentsCursor | None:
    """A cursor from `StudentsCursor.encode`, or None for the first page."""
    if raw is None or raw == "":
        return None
    invalid = InvalidInput.one(field, "is not a cursor from a previous page of this listing")
    if not isinstance(raw, str) or len(raw) > 400:
        raise invalid
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        key = payload["k"]
        if key is not None and (not isinstance(key, str) or not Decimal(key).is_finite()):
            raise ValueError(key)
        return StudentsCursor(
            sort=StudentSort(payload["s"]),
            order=SortOrder(payload["o"]),
            key=key,
            student_id=uuid.UUID(payload["i"]),
        )
    except (ValueError, TypeError, KeyError, InvalidOperation, binascii.Error):
        raise invalid from None


def _parse_bounded_number(raw: object, field: str, maximum: int, default: Decimal) -> Decimal:
    if raw is None or raw == "":
        return default
    numeral = isinstance(raw, str) and _NUMBER.fullmatch(raw) is not None
    if numeral or (isinstance(raw, int) and not isinstance(raw, bool)):
        raw = Decimal(raw)  # type: ignore[arg-type]  # a numeral or an int, checked above
    if not isinstance(raw, Decimal) or not raw.is_finite() or not 0 <= raw <= maximum:
        raise InvalidInput.one(field, f"must be a number from 0 to {maximum}")
    return raw + 0


def parse_grade_below(raw: object, field: str = "grade_below") -> Decimal:
    return _parse_bounded_number(raw, field, 10, DEFAULT_GRADE_BELOW)


def parse_on_time_below(raw: object, field: str = "on_time_below") -> Decimal:
    return _parse_bounded_number(raw, field, 100, DEFAULT_ON_TIME_BELOW)


def parse_flag(raw: object, field: str, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in _TRUE:
        return True
    if isinstance(raw, str) and raw.lower() in _FALSE:
        return False
    raise InvalidInput.one(field, "must be true or false")


def course_students_query(
    course_id: object,
    *,
    sort: object = None,
    order: object = None,
    limit: object = None,
    cursor: object = None,
) -> GetCourseStudents:
    """The students-page query from raw parameters; one InvalidInput names every bad one."""
    check = ErrorCollector()
    course = check.check(parse_course_id, course_id)
    parsed_sort = check.check(parse_sort, sort)
    parsed_order = check.check(parse_order, order, parsed_sort or StudentSort.AVERAGE)
    parsed_limit = check.check(parse_limit, limit)
    after = check.check(parse_cursor, cursor)
    check.raise_if_any()
    if after is not None and (after.sort, after.order) != (parsed_sort, parsed_order):
        raise InvalidInput.one(
            "cursor", "belongs to a listing with another sort or order; start again without it"
        )
    return GetCourseStudents(course, parsed_sort, parsed_order, parsed_limit, after)


def at_risk_query(
    course_id: object,
    *,
    grade_below: object = None,
    on_time_below: object = None,
    declining: object = None,
) -> GetAtRiskStudents:
    """The at-risk query from raw parameters; one InvalidInput names every bad one."""
    check = ErrorCollector()
    course = check.check(parse_course_id, course_id)
    below = check.check(parse_grade_below, grade_below)
    on_time = check.check(parse_on_time_below, on_time_below)
    flag = check.check(parse_flag, declining, "declining", True)
    check.raise_if_any()
    return GetAtRiskStudents(course, below, on_time, flag)


def student_courses_query(student_id: object) -> GetStudentCourses:
    return GetStudentCourses(parse_student_id(student_id))
