"""The read side's inputs: one query per read use case (its result is in application.views), and
the rules the parameters of the analytics queries obey."""

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import InvalidInput
from domain.periods import DateWindow, GroupBy
from domain.values import CourseId, StudentId, TaskId

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
DEFAULT_GRADE_BELOW = Decimal(4)
DEFAULT_ON_TIME_BELOW = Decimal(60)


@dataclass(frozen=True, slots=True)
class GetStudentCourseSummary:
    student_id: StudentId
    course_id: CourseId


@dataclass(frozen=True, slots=True)
class GetStudentAverage:
    student_id: StudentId
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class GetCourseAverage:
    course_id: CourseId
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class GetStudentTaskComparison:
    student_id: StudentId
    course_id: CourseId
    anonymize_peers: bool = False  # when a student asks: peers appear under aliases


@dataclass(frozen=True, slots=True)
class GetTaskAverages:
    course_id: CourseId
    task_id: TaskId


@dataclass(frozen=True, slots=True)
class GetOnTimePercentage:
    course_id: CourseId
    student_id: StudentId | None = None
    window: DateWindow = field(default_factory=DateWindow)
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class GetTaskSpreads:
    course_id: CourseId


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
class ListCourseStudents:
    course_id: CourseId
    sort: StudentSort = StudentSort.AVERAGE
    order: SortOrder = SortOrder.DESC
    limit: int = DEFAULT_PAGE_SIZE
    after: StudentsCursor | None = None


@dataclass(frozen=True, slots=True)
class GetAverageDistribution:
    course_id: CourseId


@dataclass(frozen=True, slots=True)
class FindAtRiskStudents:
    course_id: CourseId
    grade_below: Decimal = DEFAULT_GRADE_BELOW
    on_time_below: Decimal = DEFAULT_ON_TIME_BELOW
    declining: bool = True


@dataclass(frozen=True, slots=True)
class GetStudentCourses:
    student_id: StudentId


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
