"""The consumer group stays tidy: consumers of dead workers that hold nothing are removed, and a
stream that vanishes under a running worker is reported as a queue reset."""

import logging

import pytest
import redis.asyncio as redis
from worker_redis_support import Publisher, RunningWorker, eventually, grade_events, recorder

from adapters.memory import InMemoryDatabase
from adapters.queue.redis import ReliableRedisStreamBroker
from adapters.queue.redis import broker as broker_module
from adapters.queue.redis.resets import last_reset
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration


async def test_idle_consumers_holding_nothing_are_removed_and_holders_kept(
    settings: Settings, client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream, group = settings.queue.stream, settings.queue.consumer_group
    broker = ReliableRedisStreamBroker(
        settings.queue.url or "", queue_name=stream, consumer_group_name=group,
        consumer_name="me", idle_timeout=1.0, trim_interval=60.0, max_deliveries=10,
    )
    await broker.startup()
    try:
        await client.xadd(stream, {"data": b"{}"})
        await client.xreadgroup(group, "holder", {stream: ">"}, count=1)  # holds the entry
        await client.xreadgroup(group, "empty", {stream: ">"}, count=1)  # holds nothing
        monkeypatch.setattr(broker_module, "CONSUMER_EXPIRY", 0.0)
        await broker._forget_idle_consumers(client)
        names = {c["name"].decode() for c in await client.xinfo_consumers(stream, group)}
        assert names == {"holder"}
    finally:
        await broker.shutdown()


async def test_a_stream_deleted_under_a_running_worker_is_one_queue_reset(
    settings: Settings, client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    database = InMemoryDatabase()
    caplog.set_level(logging.ERROR, logger="adapters.queue.redis.broker")
    async with RunningWorker(settings, recorder(database)):
        async with Publisher(settings) as publisher:
            await publisher.publish(grade_events(2))
        await eventually(lambda: len(database.course_grades) == 2)
        await client.delete(settings.queue.stream)  # as FLUSHALL, or a restart without persistence
        reset = await eventually(lambda: last_reset(client, settings.queue.stream))
        async with Publisher(settings) as publisher:
            await publisher.publish(grade_events(3))  # the new group reads what comes next
        await eventually(lambda: len(database.course_grades) == 5)
    assert reset.last_entry_id is not None and reset.unfinished == 0
    resets = [r for r in caplog.records if r.getMessage().startswith("queue_reset:")]
    assert len(resets) == 1
    assert reset.last_entry_id in resets[0].getMessage()

