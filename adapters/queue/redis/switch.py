"""Pausing the workers (the QueueSwitch port): a key next to the queue (`<queue>:paused`, holding
since when) that every worker reads about once a second; while it exists they read nothing new
from the stream (and reclaim nothing), and finish what they already hold."""

from datetime import UTC, datetime

from redis.asyncio import Redis

from adapters.queue.redis.failures import reported_as_unavailable


def paused_key(queue_name: str) -> str:
    return f"{queue_name}:paused"


async def paused_since(redis: Redis, queue_name: str) -> datetime | None:
    value = await redis.get(paused_key(queue_name))
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.decode() if isinstance(value, bytes) else value)
    except ValueError:  # set by hand: paused all the same
        return datetime.now(UTC)


class RedisQueueSwitch:
    def __init__(self, redis: Redis, queue_name: str) -> None:
        self._redis = redis
        self._queue_name = queue_name

    async def pause(self) -> datetime | None:
        since = datetime.now(UTC)
        with reported_as_unavailable():
            done = await self._redis.set(paused_key(self._queue_name), since.isoformat(), nx=True)
        return since if done else None

    async def resume(self) -> bool:
        with reported_as_unavailable():
            return bool(await self._redis.delete(paused_key(self._queue_name)))

    async def paused_since(self) -> datetime | None:
        with reported_as_unavailable():
            return await paused_since(self._redis, self._queue_name)
