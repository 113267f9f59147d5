"""The EventQueue port over a taskiq broker: publishing is kicking the ingest task, by name (the
worker registers the task that consumes it)."""

import asyncio
from collections.abc import Sequence
from typing import Any

from taskiq import AsyncBroker
from taskiq.acks import AcknowledgeType
from taskiq.exceptions import SendTaskError
from taskiq.kicker import AsyncKicker

from adapters import event_codec
from application.ports.errors import QueueUnavailable
from domain.events import GradeEvent

INGEST_TASK = "stats.ingest_grades"
# The label as its plain value: taskiq sends an enum label as "AcknowledgeType.MANUAL", which its
# Receiver cannot parse. Manual: a message is acknowledged only once its grades are recorded.
INGEST_LABELS = {"ack_type": AcknowledgeType.MANUAL.value}


class TaskiqEventQueue:
    def __init__(self, broker: AsyncBroker, *, timeout: float) -> None:
        # One kicker for every message: a task's own `kiq` builds a new one each time.
        self._kicker: AsyncKicker[Any, int] = AsyncKicker(
            task_name=INGEST_TASK, broker=broker, labels=dict(INGEST_LABELS)
        )
        self._timeout = timeout

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        """Returns once the broker has the message; raises QueueUnavailable past `timeout`
        seconds (the caller cannot tell whether it was queued: a retry with the same event ids
        is safe)."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._kicker.kiq(event_codec.encode(events))
        except TimeoutError as e:
            raise QueueUnavailable(f"no answer from the queue within {self._timeout:g} s") from e
        except SendTaskError as e:  # taskiq's wrapping of what the broker raised
            if isinstance(e.__cause__, QueueUnavailable):
                raise QueueUnavailable(str(e.__cause__)) from e
            raise
