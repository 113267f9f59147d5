"""Retrying a use case through transient failures, with capped exponential backoff.

A transient failure (a port reports its database or queue Unavailable: down, unreachable, a
serialization conflict) is retried
for as long as it lasts: the message stays un-acknowledged, so nothing is lost, and writes are
idempotent, so nothing is doubled. Any other error is retried `max_failed_attempts` times and
then given up on (the caller dead-letters the message). Retrying stops at once when the worker
is stopping, leaving the message for another consumer.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from application.ports.errors import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    initial_delay: float
    max_delay: float
    max_failed_attempts: int  # for errors that are not transient

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.max_delay, self.initial_delay * 2 ** (attempt - 1))


class GaveUp(Exception):
    def __init__(self, attempts: int, error: BaseException) -> None:
        super().__init__(f"failed {attempts} times; last error: {error!r}")
        self.attempts = attempts
        self.error = error


class Stopped(Exception):
    """The worker is stopping: the message is left for another consumer."""


async def retrying(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    stopping: asyncio.Event | None = None,
    what: str = "operation",
) -> T:
    """The result of `operation`, retried as described above. Raises GaveUp or Stopped."""
    attempt = 0
    failed_permanently = 0
    while True:
        if stopping is not None and stopping.is_set():
            raise Stopped
        attempt += 1
        try:
            return await operation()
        except Exception as e:
            transient = isinstance(e, Unavailable)
            if not transient:
                failed_permanently += 1
                if failed_permanently >= policy.max_failed_attempts:
                    raise GaveUp(attempt, e) from e
            delay = policy.delay(attempt)
            log.warning(
                "%s failed (attempt %d, %s), retrying in %.1f s: %r",
                what,
                attempt,
                "transient" if transient else "error",
                delay,
                e,
            )
            if await _stopped_within(stopping, delay):
                raise Stopped from e


async def _stopped_within(stopping: asyncio.Event | None, seconds: float) -> bool:
    if stopping is None:
        await asyncio.sleep(seconds)
        return False
    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
    try:
        async with asyncio.timeout(seconds):
            await stopping.wait()
    except TimeoutError:
        return False
    return True
