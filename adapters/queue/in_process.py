"""The EventQueue port with no queue: events are recorded as they are published.

For a single process with nothing else configured (`classconnect-stats run` on the embedded
PostgreSQL, or in memory): a POST is answered only after its grade is committed, so a crash
loses nothing that was acknowledged, and a failure reaches the client instead of a 202.
"""

from collections.abc import Sequence

from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler
from domain.events import GradeEvent


class InProcessEventQueue:
    def __init__(self, record_grades: RecordGradesHandler) -> None:
        self._record = record_grades

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        # Answered at once: an id reused for another grade refuses the request (422), whole.
        await self._record(RecordGrades(events, all_or_none=True))
