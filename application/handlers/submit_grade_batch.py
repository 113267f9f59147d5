"""Accept many grades in one request (`{"events": [...]}`): all of them, or none.

Every event is checked before any is queued, each in one pass by `command_from_mapping`, as a
single grade is: its shape and its domain rules together. One InvalidInput names every bad field
of every bad event by index (`events[3].grade`). Duplicate event ids, in one batch or across
batches, are recorded once by the store.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from application.handlers.submit_grades import command_from_mapping, to_event
from application.ports import Clock, EventQueue
from domain.errors import FieldError, InvalidInput
from domain.events import GradeEvent

MAX_BATCH_SIZE = 10_000
EVENTS = "events"


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
            events.append(to_event(command_from_mapping(item, now), now))
        except InvalidInput as invalid:
            where = f"{EVENTS}[{index}]"
            errors.extend(FieldError(f"{where}.{e.field}", e.message) for e in invalid.errors)
    if errors:
        raise InvalidInput(errors)
    return events
