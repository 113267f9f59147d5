"""Fixtures of the Redis queue tests: the queue settings of the test's own key-space and a
plain Redis client (the Postgres tests take their database from tests/conftest.py)."""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from worker_redis_support import queue_settings

from entrypoints.settings import Settings


@pytest.fixture
def settings(redis_url: str, redis_namespace: str) -> Settings:
    return queue_settings(redis_url, redis_namespace)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.from_url(redis_url)
    yield client
    await client.aclose()
