"""Accept many grades in one request (`{"events": [...]}`): all of them, or none.

Every event is checked before any is queued, once: its shape here (what a JSON body can get
wrong), its values by the domain rules (`to_event`, as for a single grade). One InvalidInput
names every bad event by index and field (`events[3].grade`). Duplicate event ids, in one batch
or across batches, are recorded once by the store.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from application.commands import SubmitCourseGrade, SubmitGrade, SubmitTaskGrade
from application.handlers.submit_grades import to_event
from application.ports import Clock, EventQueue
from domain.errors import FieldError, InvalidInput
from domain.events import GradeEvent

MAX_BATCH_SIZE = 10_000
EVENTS = "events"
KINDS = ("course_grade", "task_grade")


@dataclass(frozen=True, slots=True)
class BatchAccepted:
    count: int
    event_ids: list[uuid.UUID]


class SubmitGradeBatchHandler:
    def __init__(self, queue: EventQueue, clock: Clock) -> None:
        self._queue = queue
        self._clock = clock

    async def __call__(self, body: object) -> BatchAccepted:
        """Validate a decoded JSON body and queue its events; raises InvalidInput otherwise."""
        events = batch_events(body, self._clock.now())
        await self._queue.publish(events)
        return BatchAccepted(count=len(events), event_ids=[e.event_id for e in events])


def batch_events(body: object, now: datetime) -> list[GradeEvent]:
    """The body's events, every one checked (shape and domain rules) against `now`."""
    items = body.get(EVENTS) if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        raise InvalidInput.one(EVENTS, "is required: a list of 1 to 10000 events")
    if not 1 <= len(items) <= MAX_BATCH_SIZE:
        raise InvalidInput.one(EVENTS, f"must hold 1 to {MAX_BATCH_SIZE} events, got {len(items)}")
    events: list[GradeEvent] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            events.append(to_event(command_from_mapping(item), now))
        except InvalidInput as invalid:
            where = f"{EVENTS}[{index}]"
            errors.extend(FieldError(f"{where}.{e.field}", e.message) for e in invalid.errors)
    if errors:
        raise InvalidInput(errors)
    return events


def command_from_mapping(raw: object) -> SubmitGrade:
    """One event of a batch (`kind` and the single-event fields) as a command; field errors name
    the field alone. Unknown fields are ignored, as by the single-grade endpoints."""
    if not isinstance(raw, Mapping):
        raise InvalidInput.one("kind", "each event must be an object with a kind")
    errors: list[FieldError] = []
    kind = raw.get("kind")
    if kind not in KINDS:
        errors.append(FieldError("kind", "must be course_grade or task_grade"))
    student_id = _string(raw, "student_id", errors)
    course_id = _string(raw, "course_id", errors)
    task_id = _string(raw, "task_id", errors) if kind == "task_grade" else None
    grade = _grade(raw, errors)
    on_time = _on_time(raw, errors)
    graded_at = _graded_at(raw, errors)
    event_id = _event_id(raw.get("event_id"), errors)
    if errors:
        raise InvalidInput(errors)
    assert student_id is not None and course_id is not None and grade is not None
    if kind == "task_grade":
        assert task_id is not None
        return SubmitTaskGrade(
            student_id, course_id, task_id, grade, on_time, graded_at, event_id
        )
    return SubmitCourseGrade(student_id, course_id, grade, on_time, graded_at, event_id)


def _string(raw: Mapping[str, object], name: str, errors: list[FieldError]) -> str | None:
    value = raw.get(name)
    if isinstance(value, str):
        return value
    errors.append(FieldError(name, "is required" if value is None else "must be a string"))
    return None


def _grade(raw: Mapping[str, object], errors: list[FieldError]) -> float | None:
    value = raw.get("grade")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    message = "is required" if value is None else "must be a number from 0 to 10"
    errors.append(FieldError("grade", message))
    return None


def _on_time(raw: Mapping[str, object], errors: list[FieldError]) -> bool:
    value = raw.get("on_time")
    if value is None or isinstance(value, bool):
        return value is not False
    errors.append(FieldError("on_time", "must be true or false"))
    return True


def _graded_at(raw: Mapping[str, object], errors: list[FieldError]) -> datetime | None:
    name = "graded_at" if raw.get("graded_at") is not None else "created_at"
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, str) and "T" in value.upper():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    errors.append(FieldError(name, "must be an RFC 3339 time with an offset"))
    return None


def _event_id(value: object, errors: list[FieldError]) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    errors.append(FieldError("event_id", "must be a UUID"))
    return None

