"""What a write must pass before it is queued: the client's rate limit, and room in the queue.

Rate limiting is a token bucket per client in this API process.

Each API process limits on its own, so with N replicas a client may write up to N times the
configured rate in all: set the rate per replica accordingly (or put a shared limiter at the
ingress). Buckets of clients that went quiet are dropped, so memory stays bounded.
"""

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from application.ports.errors import QueueUnavailable
from application.ports.queue import QueueInspector


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        rate_per_second: float,
        burst: float,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._rate = rate_per_second
        self._burst = burst
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def acquire(self, client: str, cost: float = 1.0) -> float:
        """Take `cost` tokens for `client`: 0.0 when allowed, else the seconds to wait."""
        now = self._clock()
        bucket = self._buckets.pop(client, None) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[client] = bucket  # most recently used last
        if len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (min(cost, self._burst) - bucket.tokens) / self._rate

    @staticmethod
    def retry_after_header(wait: float) -> str:
        return str(max(1, math.ceil(wait)))


class TooManyRequests(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.2f} s")
        self.retry_after = retry_after


class QueueFull(Exception):
    def __init__(self, backlog: int) -> None:
        super().__init__(f"{backlog} messages wait in the queue")
        self.backlog = backlog


_BACKLOG_REFRESH_SECONDS = 0.5


class _Backlog:
    """The queue's backlog, read at most every half second per API process (so the check costs
    nothing per request); 0 when it cannot be read (the write itself will then fail or succeed
    on its own)."""

    def __init__(self, queue: QueueInspector) -> None:
        self._queue = queue
        self._value = 0
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def current(self) -> int:
        if time.monotonic() - self._read_at < _BACKLOG_REFRESH_SECONDS:
            return self._value
        async with self._lock:
            if time.monotonic() - self._read_at >= _BACKLOG_REFRESH_SECONDS:
                try:
                    self._value = await self._queue.backlog()
                except QueueUnavailable:
                    self._value = 0
                self._read_at = time.monotonic()
        return self._value


class WriteGuard:
    """What a write must pass before it is queued: the client's rate limit (none when `rate` is
    0), and room in the queue (no more than `max_backlog` messages not yet recorded; no limit
    when it is 0 or there is no queue to look at)."""

    def __init__(
        self, *, rate: float, burst: int, queue: QueueInspector | None, max_backlog: int
    ) -> None:
        self._limiter = RateLimiter(rate, burst) if rate > 0 else None
        self._backlog = _Backlog(queue) if queue is not None and max_backlog > 0 else None
        self._max_backlog = max_backlog
        # False while the queue could not be set up (Redis unreachable since the start): a write
        # then answers 503 rather than reach a stream no consumer group reads yet.
        self.queue_ready = True

    @property
    def limits_rate(self) -> bool:
        return self._limiter is not None

    async def admit(self, client: str, events: int) -> None:
        """Raise TooManyRequests, QueueFull or QueueUnavailable when `client` may not queue
        `events` now."""
        if not self.queue_ready:
            raise QueueUnavailable("the queue is not set up yet: Redis has not answered")
        if self._limiter is not None:
            wait = self._limiter.acquire(client, cost=events)
            if wait > 0:
                raise TooManyRequests(wait)
        if self._backlog is not None:
            waiting = await self._backlog.current()
            if waiting >= self._max_backlog:
                raise QueueFull(waiting)
