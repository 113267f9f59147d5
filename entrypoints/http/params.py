"""Path and query parameters, checked with the domain's own rules; every failure reported."""

import re
import uuid
from datetime import date

from aiohttp import web

from domain.errors import ErrorCollector, InvalidInput
from domain.periods import DateWindow, GroupBy
from domain.values import (
    CourseId,
    StudentId,
    TaskId,
    parse_course_id,
    parse_event_id,
    parse_student_id,
    parse_task_id,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f2b8c1e-3d4a-5b6c-8d9e-0a1b2c3d4e5f")


class Params:
    """Collects path and query parameter errors so one response names them all."""

    def __init__(self, request: web.Request) -> None:
        self._request = request
        self._check = ErrorCollector()

    def student_id(self) -> StudentId:
        return self._check.check(parse_student_id, self._request.match_info["student_id"])

    def course_id(self) -> CourseId:
        return self._check.check(parse_course_id, self._request.match_info["course_id"])

    def task_id(self) -> TaskId:
        return self._check.check(parse_task_id, self._request.match_info["task_id"])

    def window(self) -> DateWindow:
        start = self._check.check(_parse_date, self._request.query.get("start_date"), "start_date")
        end = self._check.check(_parse_date, self._request.query.get("end_date"), "end_date")
        if self._check.errors:
            return DateWindow()
        return self._check.check(DateWindow, start, end)

    def group_by(self) -> GroupBy | None:
        return self._check.check(_parse_group_by, self._request.query.get("group_by"))

    def done(self) -> None:
        self._check.raise_if_any()


def _parse_date(raw: str | None, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    if _DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidInput.one(field, f"must be a date as YYYY-MM-DD, got {raw!r}")


def _parse_group_by(raw: str | None) -> GroupBy | None:
    if raw is None or raw == "":
        return None
    try:
        return GroupBy(raw)
    except ValueError:
        choices = "|".join(g.value for g in GroupBy)
        raise InvalidInput.one("group_by", f"must be one of {choices}, got {raw!r}") from None


def idempotency_key(request: web.Request, body_event_id: uuid.UUID | None) -> uuid.UUID | None:
    """The event id a retried request keeps: the body's `event_id`, else the Idempotency-Key
    header (a UUID as it is, any other key of 1-255 characters mapped to a UUID)."""
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return body_event_id
    header = header.strip()
    if not 1 <= len(header) <= 255:
        raise InvalidInput.one("Idempotency-Key", "must be 1 to 255 characters")
    try:
        key = parse_event_id(header, "Idempotency-Key")
    except InvalidInput:
        key = uuid.uuid5(_IDEMPOTENCY_NAMESPACE, header)
    if body_event_id is not None and body_event_id != key:
        raise InvalidInput.one("event_id", "differs from the Idempotency-Key header")
    return key
