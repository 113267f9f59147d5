"""Erase a student (the right to erasure): queued like any write, so it is ordered with them."""

import uuid
from dataclasses import dataclass

from application.ports import Clock, EventQueue
from domain.events import StudentErased
from domain.values import parse_event_id, parse_student_id


@dataclass(frozen=True, slots=True)
class EraseStudent:
    student_id: str | uuid.UUID
    event_id: uuid.UUID | None = None  # a retried request keeps its id


class EraseStudentHandler:
    def __init__(self, queue: EventQueue, clock: Clock) -> None:
        self._queue = queue
        self._clock = clock

    async def __call__(self, command: EraseStudent) -> uuid.UUID:
        """Queue the erasure of every grade of the student accepted up to now; its event id.

        Once recorded, no statistic counts the student's grades and none of them is kept."""
        student_id = parse_student_id(command.student_id)
        event_id = (
            parse_event_id(command.event_id) if command.event_id is not None else uuid.uuid4()
        )
        await self._queue.publish([StudentErased(event_id, student_id, self._clock.now())])
        return event_id
