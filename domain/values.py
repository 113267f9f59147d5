"""Value objects: the identifiers and measures every grade is made of.

Each `parse_*` function validates a raw value and returns the canonical one, or raises
`InvalidInput` naming the field.
"""

import math
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.errors import InvalidInput

StudentId = uuid.UUID
CourseId = str
TaskId = str

MIN_GRADE = Decimal(0)
MAX_GRADE = Decimal(10)
FUTURE_TOLERANCE = timedelta(minutes=5)
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_student_id(raw: object, field: str = "student_id") -> StudentId:
    if isinstance(raw, uuid.UUID):
        return raw
    if isinstance(raw, str):
        try:
            return uuid.UUID(raw)
        except ValueError:
            pass
    raise InvalidInput.one(field, "must be a UUID, like 3fa85f64-5717-4562-b3fc-2c963f66afa6")


def parse_event_id(raw: object, field: str = "event_id") -> uuid.UUID:
    return parse_student_id(raw, field)


def _parse_slug(raw: object, field: str) -> str:
    if isinstance(raw, str) and _ID_PATTERN.fullmatch(raw):
        return raw
    raise InvalidInput.one(field, "must be 1 to 64 characters of letters, digits, '-' or '_'")


def parse_course_id(raw: object, field: str = "course_id") -> CourseId:
    return _parse_slug(raw, field)


def parse_task_id(raw: object, field: str = "task_id") -> TaskId:
    return _parse_slug(raw, field)


def parse_grade(raw: object, field: str = "grade") -> Decimal:
    """A grade is a finite number from 0 to 10, kept exact as a Decimal.

    A float is taken by its shortest decimal form (7.3 stays 7.3, not 7.29999...).
    """
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        raise InvalidInput.one(field, "must be a number from 0 to 10")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InvalidInput.one(field, "must be a finite number from 0 to 10")
    value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    if not value.is_finite():
        raise InvalidInput.one(field, "must be a finite number from 0 to 10")
    if not MIN_GRADE <= value <= MAX_GRADE:
        raise InvalidInput.one(field, "must be from 0 to 10")
    return value + 0  # normalises -0 to 0


def parse_graded_at(raw: datetime, now: datetime, field: str = "graded_at") -> datetime:
    if raw.tzinfo is None or raw.utcoffset() is None:
        raise InvalidInput.one(field, "must carry a UTC offset, like 2025-03-01T10:00:00Z")
    try:
        raw.astimezone(UTC)  # bucketing works in UTC: 0001-01-01T00:00+01:00 has no UTC date
    except OverflowError:
        raise InvalidInput.one(field, "must be a moment from year 1 to 9999 in UTC") from None
    if raw - now > FUTURE_TOLERANCE:
        raise InvalidInput.one(field, "must not be more than 5 minutes in the future")
    return raw
