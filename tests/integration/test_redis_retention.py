"""Trimming keeps every entry some consumer group still needs, and only those."""


import pytest
import redis.asyncio as redis
from worker_redis_support import (
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    recorder,
)

from adapters.memory import InMemoryDatabase
from adapters.queue.redis import queue_stats, trim_acknowledged
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def stream(redis_namespace: str) -> str:
    return f"{redis_namespace}:events"


async def add(client: redis.Redis, stream: str, count: int) -> list[bytes]:
    return [await client.xadd(stream, {b"data": f"m{i}".encode()}) for i in range(count)]


async def read(client: redis.Redis, stream: str, group: str, count: int) -> list[bytes]:
    reply = await client.xreadgroup(group, "c", {stream: ">"}, count=count)
    return [entry_id for entry_id, _ in reply[0][1]] if reply else []


async def remaining(client: redis.Redis, stream: str) -> list[bytes]:
    return [entry_id for entry_id, _ in await client.xrange(stream)]


async def test_only_acknowledged_entries_are_trimmed(client: redis.Redis, stream: str) -> None:
    ids = await add(client, stream, 5)
    await client.xgroup_create(stream, "g", id="0")
    taken = await read(client, stream, "g", 3)
    await client.xack(stream, "g", taken[0], taken[2])  # entry 1 stays pending; 3, 4 unread
    assert await trim_acknowledged(client, stream) == 1
    assert await remaining(client, stream) == ids[1:]


async def test_the_slowest_group_decides(client: redis.Redis, stream: str) -> None:
    ids = await add(client, stream, 4)
    await client.xgroup_create(stream, "fast", id="0")
    await client.xgroup_create(stream, "slow", id="0")
    await client.xack(stream, "fast", *await read(client, stream, "fast", 4))
    await client.xack(stream, "slow", *await read(client, stream, "slow", 2))
    assert await trim_acknowledged(client, stream) == 2
    assert await remaining(client, stream) == ids[2:]


async def test_fully_acknowledged_streams_are_emptied(client: redis.Redis, stream: str) -> None:
    await add(client, stream, 3)
    await client.xgroup_create(stream, "g", id="0")
    await client.xack(stream, "g", *await read(client, stream, "g", 3))
    assert await trim_acknowledged(client, stream) == 3
    assert await client.xlen(stream) == 0
    later = await add(client, stream, 1)  # still delivered afterwards
    assert await read(client, stream, "g", 1) == later


async def test_without_groups_nothing_is_trimmed(client: redis.Redis, stream: str) -> None:
    await add(client, stream, 3)
    assert await trim_acknowledged(client, stream) == 0
    assert await client.xlen(stream) == 3
    assert await trim_acknowledged(client, f"{stream}-missing") == 0


async def test_a_group_with_unread_entries_keeps_them(client: redis.Redis, stream: str) -> None:
    ids = await add(client, stream, 3)
    await client.xgroup_create(stream, "g", id="0")
    await client.xgroup_create(stream, "idle", id="0")
    await client.xack(stream, "g", *await read(client, stream, "g", 3))
    assert await trim_acknowledged(client, stream) == 0
    assert await remaining(client, stream) == ids


async def test_the_worker_trims_what_it_acknowledged(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        for _ in range(5):
            await publisher.publish(grade_events(2))
        await eventually(lambda: len(database.course_grades) == 10)
        await eventually(lambda: _length_is(client, settings.queue.stream, 0))
        stats = await queue_stats(client, settings.queue.stream)
    [group] = stats.groups
    assert (stats.length, group.pending, group.lag, stats.dead_letters) == (0, 0, 0, 0)


async def _length_is(client: redis.Redis, stream: str, expected: int) -> bool:
    return int(await client.xlen(stream)) == expected


async def test_queue_stats_report_the_backlog(client: redis.Redis, stream: str) -> None:
    await add(client, stream, 4)
    await client.xgroup_create(stream, "g", id="0")
    await read(client, stream, "g", 1)
    stats = await queue_stats(client, stream)
    [group] = stats.groups
    assert (stats.length, group.pending, group.lag) == (4, 1, 3)
    assert group.oldest_pending_age is not None and group.oldest_pending_age < 60
