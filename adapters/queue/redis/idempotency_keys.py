"""Idempotency keys in the queue's Redis, shared by every API process: one string per key,
`<prefix><uuid>` = `0:<fingerprint>` while its request is in flight, `1:<fingerprint>` once
answered, expiring after the window. A Redis that is down is the port's QueueUnavailable (the
write could not be queued either)."""

import uuid

from redis.asyncio import Redis

from adapters.queue.redis.failures import reported_as_unavailable
from application.ports.idempotency import Remembered


class RedisIdempotencyKeys:
    """IdempotencyKeys (application/ports/idempotency.py) in Redis."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def claim(
        self, keys: list[tuple[uuid.UUID, str]], ttl: float
    ) -> list[Remembered | None]:
        with reported_as_unavailable(every_redis_error=True):
            async with self._redis.pipeline(transaction=True) as pipe:
                for key, fingerprint in keys:
                    pipe.set(self._name(key), f"0:{fingerprint}", nx=True, px=_millis(ttl))
                    pipe.get(self._name(key))
                replies = await pipe.execute()
        found: list[Remembered | None] = []
        for claimed, value in zip(replies[::2], replies[1::2], strict=True):
            if claimed or value is None:
                found.append(None)
            else:
                text = value.decode() if isinstance(value, bytes) else str(value)
                state, _, fingerprint = text.partition(":")
                found.append(Remembered(fingerprint, answered=state == "1"))
        return found

    async def answered(self, keys: list[tuple[uuid.UUID, str]], ttl: float) -> None:
        with reported_as_unavailable(every_redis_error=True):
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, fingerprint in keys:
                    pipe.set(self._name(key), f"1:{fingerprint}", px=_millis(ttl))
                await pipe.execute()

    async def release(self, keys: list[uuid.UUID]) -> None:
        if keys:
            with reported_as_unavailable(every_redis_error=True):
                await self._redis.delete(*(self._name(key) for key in keys))

    def _name(self, key: uuid.UUID) -> str:
        return f"{self._prefix}{key}"


def _millis(seconds: float) -> int:
    return max(1, round(seconds * 1000))
