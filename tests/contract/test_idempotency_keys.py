"""Idempotency keys behave alike in memory and in Redis."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis

from adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from adapters.queue.redis import RedisIdempotencyKeys
from application.ports.idempotency import IdempotencyKeys, Remembered

DAY = 86_400.0


@pytest.fixture
async def redis_keys(redis_url: str, redis_namespace: str) -> AsyncIterator[IdempotencyKeys]:
    client = redis.from_url(redis_url)
    try:
        yield RedisIdempotencyKeys(client, f"{redis_namespace}:idem:")
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.integration)])
def keys(request: pytest.FixtureRequest) -> IdempotencyKeys:
    if request.param == "memory":
        return InMemoryIdempotencyKeys()
    # Only the redis case asks for Redis, so the memory case runs without one.
    keys: IdempotencyKeys = request.getfixturevalue("redis_keys")
    return keys


async def test_a_new_key_is_claimed_then_remembered(keys: IdempotencyKeys) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert await keys.claim([(a, "fa"), (b, "fb")], DAY) == [None, None]
    assert await keys.claim([(a, "other"), (b, "fb")], DAY) == [
        Remembered("fa", answered=False), Remembered("fb", answered=False)
    ]
    await keys.answered([(a, "fa")], DAY)
    assert await keys.claim([(a, "fa")], DAY) == [Remembered("fa", answered=True)]


async def test_a_released_key_can_be_claimed_again(keys: IdempotencyKeys) -> None:
    key = uuid.uuid4()
    assert await keys.claim([(key, "f")], DAY) == [None]
    await keys.release([key])
    assert await keys.claim([(key, "g")], DAY) == [None]
    assert await keys.claim([(key, "f")], DAY) == [Remembered("g", answered=False)]


async def test_keys_are_forgotten_after_the_window(keys: IdempotencyKeys) -> None:
    key = uuid.uuid4()
    assert await keys.claim([(key, "f")], 0.05) == [None]
    await asyncio.sleep(0.2)
    assert await keys.claim([(key, "g")], DAY) == [None]


async def test_one_of_concurrent_claims_wins(keys: IdempotencyKeys) -> None:
    key = uuid.uuid4()
    results = await asyncio.gather(*(keys.claim([(key, f"f{i}")], DAY) for i in range(20)))
    assert sum(result == [None] for result in results) == 1


@pytest.mark.integration
async def test_concurrent_claims_and_marks_go_to_redis_together(
    redis_url: str, redis_namespace: str
) -> None:
    client = redis.from_url(redis_url)
    transactions = 0
    pipeline = client.pipeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal transactions
        transactions += 1
        return pipeline(*args, **kwargs)

    client.pipeline = counted  # type: ignore[method-assign]
    try:
        keys = RedisIdempotencyKeys(client, f"{redis_namespace}:idem:")
        pairs = [(uuid.uuid4(), f"f{i}") for i in range(50)]
        same = uuid.uuid4()
        claimed = await asyncio.gather(
            *(keys.claim([pair], DAY) for pair in pairs),
            keys.claim([(same, "first")], DAY), keys.claim([(same, "second")], DAY),
        )
        assert claimed == [[None]] * 51 + [[Remembered("first", answered=False)]]
        assert transactions <= 2  # not one per call
        await asyncio.gather(*(keys.answered([pair], DAY) for pair in pairs))
        assert transactions <= 4
        assert await keys.claim(pairs, DAY) == [Remembered(f, answered=True) for _, f in pairs]
    finally:
        await client.aclose()
