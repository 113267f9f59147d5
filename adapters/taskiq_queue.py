"""The EventQueue port over a taskiq task: publishing is kicking the ingest task."""

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from adapters import event_codec
from domain.events import GradeEvent


class Kickable(Protocol):
    async def kiq(self, events: list[dict[str, Any]]) -> Any: ...


class TaskiqEventQueue:
    def __init__(self, kicker: Kickable, *, timeout: float = 5.0) -> None:
        """`kicker`: what sends the ingest task's messages (`entrypoints.worker.broker
        .ingest_kicker`)."""
        self._kicker = kicker
        self._timeout = timeout

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        """Returns once the broker has the message; raises TimeoutError past `timeout` seconds
        (the caller cannot tell whether it was queued: a retry with the same event ids is safe)."""
        async with asyncio.timeout(self._timeout):
            await self._kicker.kiq(event_codec.encode(events))
