"""What a write must pass before it is queued: the client's rate limit, and room in the queue.

The backlog (messages not yet recorded, over every consumer group: lag + pending) is read from
Redis at most every half second per API process, so the check costs nothing per request.
"""

import asyncio
import time

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from entrypoints.http.access import principal_of
from entrypoints.http.keys import PROBE_REDIS, SETTINGS
from entrypoints.limits import RateLimiter

RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
_REFRESH_SECONDS = 0.5


class TooManyRequests(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.2f} s")
        self.retry_after = retry_after


class QueueFull(Exception):
    def __init__(self, backlog: int) -> None:
        super().__init__(f"{backlog} messages wait in the queue")
        self.backlog = backlog


class QueueBacklog:
    """The queue's backlog, refreshed lazily; 0 when it cannot be read (the write itself will
    then fail or succeed on its own)."""

    def __init__(self, stream: str) -> None:
        self._stream = stream
        self._value = 0
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def current(self, redis: Redis) -> int:
        if time.monotonic() - self._read_at < _REFRESH_SECONDS:
            return self._value
        async with self._lock:
            if time.monotonic() - self._read_at >= _REFRESH_SECONDS:
                self._value = await self._read(redis)
                self._read_at = time.monotonic()
        return self._value

    async def _read(self, redis: Redis) -> int:
        try:
            groups = await redis.xinfo_groups(self._stream)
            if not groups:
                return int(await redis.xlen(self._stream))
            return max(
                int(g["pending"]) + int(g["lag"] if g.get("lag") is not None else 0)
                for g in groups
            )
        except RedisError:
            return 0


BACKLOG = web.AppKey("backlog", QueueBacklog)


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    if settings.write_rate_limit > 0:
        app[RATE_LIMITER] = RateLimiter(settings.write_rate_limit, settings.write_burst)
    if settings.queue_url and settings.max_queue_backlog > 0:
        app[BACKLOG] = QueueBacklog(settings.queue_name)


async def admit_write(request: web.Request, events: int) -> None:
    """Raise TooManyRequests or QueueFull when these `events` may not be queued now."""
    limiter = request.app.get(RATE_LIMITER)
    if limiter is not None:
        principal = principal_of(request)
        client = str(principal.subject) if principal.subject else (request.remote or "?")
        wait = limiter.acquire(client, cost=events)
        if wait > 0:
            raise TooManyRequests(wait)
    backlog = request.app.get(BACKLOG)
    redis = request.app.get(PROBE_REDIS)
    if backlog is not None and redis is not None:
        waiting = await backlog.current(redis)
        if waiting >= request.app[SETTINGS].max_queue_backlog:
            raise QueueFull(waiting)
