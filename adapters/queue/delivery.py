"""What a task may do with the message it is running for: acknowledge it or dead-letter it.

Tasks are registered with `ack_type=manual`: taskiq's Receiver would otherwise acknowledge a
message whether the task succeeded or raised, dropping failed messages.
"""

import asyncio
import logging
from typing import Protocol, runtime_checkable

from taskiq import Context
from taskiq.message import TaskiqMessage

log = logging.getLogger(__name__)


@runtime_checkable
class DeadLetterSink(Protocol):
    async def dead_letter(self, message: TaskiqMessage, *, error: str, attempts: int) -> None: ...


@runtime_checkable
class OutcomeCounter(Protocol):
    def count_outcomes(self, processed: int = 0, failed: int = 0) -> None: ...


class Delivery:
    def __init__(self, context: Context) -> None:
        self._context = context

    @property
    def stopping(self) -> asyncio.Event | None:
        """Set when the broker stops listening (None for brokers that cannot tell)."""
        stopping = getattr(self._context.broker, "stopping", None)
        return stopping if isinstance(stopping, asyncio.Event) else None

    @property
    def count(self) -> int:
        """How many times this message was handed out (1 unless it was reclaimed)."""
        return int(self._context.message.labels.get("delivery_count", 1))

    def count_outcomes(self, *, processed: int = 0, failed: int = 0) -> None:
        """Grade events recorded, or given up on, for the queue's per-minute counts (brokers
        that keep none ignore it)."""
        broker = self._context.broker
        if isinstance(broker, OutcomeCounter):
            broker.count_outcomes(processed, failed)

    async def ack(self) -> None:
        if self._context.is_ackable:
            await self._context.ack()

    async def dead_letter(self, error: str, *, attempts: int) -> None:
        """Keep the message where a person can list and replay it, then acknowledge it."""
        broker = self._context.broker
        if isinstance(broker, DeadLetterSink):
            await broker.dead_letter(self._context.message, error=error, attempts=attempts)
        else:
            log.error(
                "dropping message %s (this broker keeps no dead letters): %s",
                self._context.message.task_id,
                error,
            )
        await self.ack()
