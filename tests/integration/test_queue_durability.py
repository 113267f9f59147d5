"""The queue's durability as Redis reports it, on private servers configured each way."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.queue.redis import queue_durability
from tests.e2e.private_redis import PrivateRedis

pytestmark = pytest.mark.integration

CASES = {
    "aof": (True, ()),
    "rdb": (False, ("--save", "3600 1")),
    "none": (False, ()),
    "unknown": (True, ("--rename-command", "CONFIG", "")),  # as many managed services do
}


@pytest.fixture(params=list(CASES))
async def configured(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, str]]:
    persistent, options = CASES[request.param]
    server = PrivateRedis(tmp_path / "redis", persistent=persistent, options=options)
    await asyncio.to_thread(server.start)
    try:
        yield request.param, server.url
    finally:
        await asyncio.to_thread(server.stop)


async def test_durability_is_what_redis_is_configured_for(configured: tuple[str, str]) -> None:
    expected, url = configured
    async with Redis.from_url(url) as redis:
        assert await queue_durability(redis) == expected
