"""The EventQueue port over a taskiq task: publishing is kicking the ingest task."""

from collections.abc import Sequence
from typing import Any, Protocol

from adapters import event_codec
from domain.events import GradeEvent


class Kickable(Protocol):
    async def kiq(self, events: list[dict[str, Any]]) -> Any: ...


class TaskiqEventQueue:
    def __init__(self, ingest_task: Kickable) -> None:
        self._task = ingest_task

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        await self._task.kiq(event_codec.encode(events))
