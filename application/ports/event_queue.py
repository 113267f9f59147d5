from collections.abc import Sequence
from typing import Protocol

from domain.events import GradeEvent


class EventQueue(Protocol):
    """Where accepted events wait to be recorded. `publish` returns once they are durably queued."""

    async def publish(self, events: Sequence[GradeEvent]) -> None: ...
