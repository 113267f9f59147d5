"""Erase a student (the right to erasure): queued like any write, so it is ordered with them."""

import uuid
from datetime import datetime

from application.commands import EraseStudent
from application.ports import EventQueue
from application.ports.errors import QueueUnavailable
from domain.events import StudentErased


class EraseStudentHandler:
    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue

    async def __call__(self, command: EraseStudent, now: datetime) -> uuid.UUID:
        """Queue the erasure of every grade of the student accepted up to `now`; its event id.

        Once recorded, no statistic counts the student's grades and none of them is kept."""
        event_id = command.event_id or uuid.uuid4()
        try:
            await self._queue.publish([StudentErased(event_id, command.student_id, now)])
        except QueueUnavailable as e:
            raise e.naming([event_id]) from e
        return event_id
