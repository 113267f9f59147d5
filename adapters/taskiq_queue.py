"""The EventQueue port over a taskiq task: publishing is kicking the ingest task."""

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from adapters import event_codec
from domain.events import GradeEvent


class Kickable(Protocol):
    async def kiq(self, events: list[dict[str, Any]]) -> Any: ...


class TaskiqEventQueue:
    def __init__(self, ingest_task: Kickable, *, timeout: float = 5.0) -> None:
        # A taskiq task builds a new kicker (copying its labels) for every kiq; one will do.
        kicker = getattr(ingest_task, "kicker", None)
        self._task: Kickable = kicker() if callable(kicker) else ingest_task
        self._timeout = timeout

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        """Returns once the broker has the message; raises TimeoutError past `timeout` seconds
        (the caller cannot tell whether it was queued: a retry with the same event ids is safe)."""
        async with asyncio.timeout(self._timeout):
            await self._task.kiq(event_codec.encode(events))
