"""Idempotency keys in the queue's Redis, shared by every API process: one string per key,
`<prefix><uuid>` = `0:<fingerprint>` while its request is in flight, `1:<fingerprint>` once
answered, expiring after the window. A Redis that is down is the port's QueueUnavailable (the
write could not be queued either).

The claims of concurrent requests go to Redis together, as one transaction, and so do their
answered marks (`adapters/queue/window.py`, with no lingering: the calls that arrive while one
batch is on its way form the next), so a POST costs a share of two round trips instead of two.
Within a batch the claims are made in the order they came, so of two requests with one key the
first claims it and the second finds it in flight, as when they are sent apart."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from adapters.queue.redis.failures import reported_as_unavailable
from adapters.queue.window import BatchingWindow
from application.ports.idempotency import Remembered

# Keys per Redis transaction at most.
MAX_BATCH = 1000


@dataclass(eq=False, slots=True)
class _Write:
    """One key's value to set for `ttl_ms`; each call's own objects, so that a batch's outcome
    can be looked up by them (compared by identity)."""

    name: str
    value: str
    ttl_ms: int


class RedisIdempotencyKeys:
    """IdempotencyKeys (application/ports/idempotency.py) in Redis."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._claims = BatchingWindow(self._claim_all, linger=0, max_size=MAX_BATCH, max_flushes=1)
        self._marks = BatchingWindow(self._mark_all, linger=0, max_size=MAX_BATCH, max_flushes=1)

    async def claim(
        self, keys: list[tuple[uuid.UUID, str]], ttl: float
    ) -> list[Remembered | None]:
        claims = [_Write(self._name(key), f"0:{print_}", _millis(ttl)) for key, print_ in keys]
        with reported_as_unavailable(every_redis_error=True):
            found = await self._claims(claims)
        return [found[claim] for claim in claims]

    async def answered(self, keys: list[tuple[uuid.UUID, str]], ttl: float) -> None:
        with reported_as_unavailable(every_redis_error=True):
            await self._marks(
                [_Write(self._name(key), f"1:{print_}", _millis(ttl)) for key, print_ in keys]
            )

    async def release(self, keys: list[uuid.UUID]) -> None:
        if keys:
            with reported_as_unavailable(every_redis_error=True):
                await self._redis.delete(*(self._name(key) for key in keys))

    async def _claim_all(self, claims: Sequence[_Write]) -> dict[_Write, Remembered | None]:
        async with self._redis.pipeline(transaction=True) as pipe:
            for claim in claims:
                pipe.set(claim.name, claim.value, nx=True, px=claim.ttl_ms)
                pipe.get(claim.name)
            replies = await pipe.execute()
        found: dict[_Write, Remembered | None] = {}
        for claim, claimed, value in zip(claims, replies[::2], replies[1::2], strict=True):
            if claimed or value is None:
                found[claim] = None
            else:
                text = value.decode() if isinstance(value, bytes) else str(value)
                state, _, fingerprint = text.partition(":")
                found[claim] = Remembered(fingerprint, answered=state == "1")
        return found

    async def _mark_all(self, marks: Sequence[_Write]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for mark in marks:
                pipe.set(mark.name, mark.value, px=mark.ttl_ms)
            await pipe.execute()

    def _name(self, key: uuid.UUID) -> str:
        return f"{self._prefix}{key}"


def _millis(seconds: float) -> int:
    return max(1, round(seconds * 1000))
