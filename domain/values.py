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
GRADE_PLACES = 4  # a grade has at most this many decimal places: 7.125 is one, 7.12345 is not
FUTURE_TOLERANCE = timedelta(minutes=5)
ID_PATTERN = "[A-Za-z0-9_-]{1,64}"
# The UUID's standard text form only (8-4-4-4-12 hex digits): not braces, urn: or bare hex.
UUID_PATTERN = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_ID = re.compile(ID_PATTERN)
_UUID = re.compile(UUID_PATTERN)


def parse_student_id(raw: object, field: str = "student_id") -> StudentId:
    if isinstance(raw, uuid.UUID):
        return raw
    if isinstance(raw, str) and _UUID.fullmatch(raw):
        return uuid.UUID(raw)
    raise InvalidInput.one(field, "must be a UUID, like 3fa85f64-5717-4562-b3fc-2c963f66afa6")


def parse_event_id(raw: object, field: str = "event_id") -> uuid.UUID:
    return parse_student_id(raw, field)


def _parse_slug(raw: object, field: str) -> str:
    if isinstance(raw, str) and _ID.fullmatch(raw):
        return raw
    raise InvalidInput.one(field, "must be 1 to 64 characters of letters, digits, '-' or '_'")


def parse_course_id(raw: object, field: str = "course_id") -> CourseId:
    return _parse_slug(raw, field)


def parse_task_id(raw: object, field: str = "task_id") -> TaskId:
    return _parse_slug(raw, field)


def parse_grade(
    raw: object, field: str = "grade", *, max_places: int | None = GRADE_PLACES
) -> Decimal:
    """A grade is a finite number from 0 to 10 with at most `max_places` decimal places, kept
    exact as a Decimal. More places are refused, not rounded: a grade is what its teacher gave.
    (`max_places=None` reads grades accepted before the limit, which may have more.)

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
    if max_places is not None and _decimal_places(value) > max_places:
        raise InvalidInput.one(field, f"must have at most {max_places} decimal places")
    if value.is_zero() and value.as_tuple().exponent < -GRADE_PLACES:  # type: ignore[operator]
        return MIN_GRADE  # 0E-999999 is 0 as well
    return value + 0  # normalises -0 to 0


def _decimal_places(value: Decimal) -> int:
    """How many decimal places `value` needs (7.50 needs 1; 0 none), read from its digits with
    no context rounding: 1E-999999999 needs 999999999 rather than underflowing to 0."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite value
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if trailing_zeros == len(digits):
        return 0
    return max(0, -(exponent + trailing_zeros))


def parse_on_time(raw: object, field: str = "on_time") -> bool:
    """A flag is true or false; null is neither (leave the field out for the default)."""
    if isinstance(raw, bool):
        return raw
    raise InvalidInput.one(field, "must be true or false")


# RFC 3339's date-time (section 5.6): fromisoformat alone also takes ISO 8601's other forms, such
# as 20250301T100000Z or an offset without its colon. The offset is optional here only so that a
# time without one is told what it lacks.
_RFC_3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)


def parse_moment(raw: object, field: str = "graded_at") -> datetime:
    """A moment with a UTC offset: a datetime, or RFC 3339 text like 2025-03-01T10:00:00Z."""
    if isinstance(raw, str) and _RFC_3339.fullmatch(raw):
        try:
            raw = datetime.fromisoformat(raw.upper())
        except ValueError:  # a day or an hour that does not exist, like 2025-02-30
            pass
    if not isinstance(raw, datetime):
        raise InvalidInput.one(field, "must be an RFC 3339 time with an offset")
    if raw.tzinfo is None or raw.utcoffset() is None:
        raise InvalidInput.one(field, "must carry a UTC offset, like 2025-03-01T10:00:00Z")
    try:
        raw.astimezone(UTC)  # bucketing works in UTC: 0001-01-01T00:00+01:00 has no UTC date
    except OverflowError:
        raise InvalidInput.one(field, "must be a moment from year 1 to 9999 in UTC") from None
    return raw


def parse_graded_at(raw: object, now: datetime, field: str = "graded_at") -> datetime:
    """When a grade was given: a moment (`parse_moment`) at most 5 minutes after `now`."""
    moment = parse_moment(raw, field)
    if moment - now > FUTURE_TOLERANCE:
        raise InvalidInput.one(field, "must not be more than 5 minutes in the future")
    return moment
