"""The durable queue against a real Redis: delivery, acknowledgement, recovery, retries."""

import json
import uuid
from urllib.parse import urlsplit

import pytest
import redis.asyncio as redis
from worker_redis_support import (
    FlakyUnitOfWork,
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    pending,
    queue_settings,
    recorder,
    taskiq_message,
)

from adapters import event_codec
from adapters.memory import InMemoryDatabase
from adapters.queue.redis import RedisDeadLetters
from application.handlers.record_grades import RecordGradesHandler
from application.ports.errors import StoreUnavailable
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration


async def test_published_events_are_recorded_and_acknowledged(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    events = grade_events(3)
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        await publisher.publish(events[:2])
        await publisher.publish(events[2:])
        await eventually(lambda: len(database.course_grades) == 3)
        await eventually(lambda: _pending_is(client, settings, 0))
    assert set(database.course_grades) == {e.event_id for e in events}


async def test_entries_of_a_dead_consumer_are_reclaimed_without_new_traffic(
    settings: Settings, client: redis.Redis
) -> None:
    events = grade_events(2)
    async with Publisher(settings) as publisher:
        await publisher.publish(events)
    # A consumer takes the message and dies before acknowledging it.
    taken = await client.xreadgroup(
        settings.queue.consumer_group, "dead-consumer", {settings.queue.stream: ">"}, count=10
    )
    assert len(taken[0][1]) == 1
    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        # Nothing else is published: recovery must not wait for new traffic.
        await eventually(lambda: len(database.course_grades) == 2)
        await eventually(lambda: _pending_is(client, settings, 0))


async def _pending_is(client: redis.Redis, settings: Settings, expected: int) -> bool:
    return await pending(client, settings) == expected


async def test_an_entry_stranded_while_the_worker_idles_is_reclaimed(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    warm_up, stranded = grade_events(1), grade_events(1)
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        await publisher.publish(warm_up)
        await eventually(lambda: len(database.course_grades) == 1)
        # Published and taken by a consumer that then dies, atomically, so the worker never
        # sees it as new. Nothing else is published afterwards.
        async with client.pipeline(transaction=True) as pipe:
            pipe.xadd(settings.queue.stream, {b"data": taskiq_message(stranded)})
            pipe.xreadgroup(settings.queue.consumer_group, "dead", {settings.queue.stream: ">"}, count=1)
            _, taken = await pipe.execute()
        assert len(taken[0][1]) == 1
        await eventually(lambda: len(database.course_grades) == 2)
        await eventually(lambda: _pending_is(client, settings, 0))


async def _dead_letter_count(client: redis.Redis, settings: Settings, expected: int) -> bool:
    return int(await client.xlen(f"{settings.queue.stream}:dead-letters")) == expected


async def test_a_malformed_message_is_dead_lettered_and_the_worker_keeps_going(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    good = grade_events(2)
    corrupt = event_codec.encode(grade_events(1))
    corrupt[0]["grade"] = "eleven"
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        await publisher.kick(corrupt)
        await publisher.kick([{"kind": "not ours"}])
        await client.xadd(settings.queue.stream, {b"data": b"\xff not json"})
        await client.xadd(settings.queue.stream, {b"something": b"else"})
        await publisher.publish(good)
        await eventually(lambda: len(database.course_grades) == 2)
        await eventually(lambda: _dead_letter_count(client, settings, 4))
        await eventually(lambda: _pending_is(client, settings, 0))
    letters = await RedisDeadLetters(client, settings.queue.stream).list()
    errors = [letter.error for letter in letters]
    assert sum("malformed message" in e for e in errors) == 2
    assert any("not a taskiq message" in e for e in errors)
    assert any("no 'data' field" in e for e in errors)
    assert all(letter.source_id for letter in letters)


async def test_transient_failures_are_retried_until_they_succeed(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    flaky = FlakyUnitOfWork(database, failures=6, error=StoreUnavailable("db down"))
    events = grade_events(3)
    async with (
        Publisher(settings) as publisher,
        RunningWorker(settings, RecordGradesHandler(flaky)),
    ):
        await publisher.publish(events)
        await eventually(lambda: len(database.course_grades) == 3)
        await eventually(lambda: _pending_is(client, settings, 0))
    # More failures than max_failed_attempts (3), yet nothing was dead-lettered or dropped.
    assert flaky.attempts == 7
    assert await client.xlen(f"{settings.queue.stream}:dead-letters") == 0


async def test_a_message_that_keeps_failing_is_dead_lettered_and_replayable(
    settings: Settings, client: redis.Redis
) -> None:
    database = InMemoryDatabase()
    broken = FlakyUnitOfWork(database, failures=3, error=RuntimeError("bug"))
    events = grade_events(2)
    async with Publisher(settings) as publisher:
        async with RunningWorker(settings, RecordGradesHandler(broken)):
            await publisher.publish(events)
            await eventually(lambda: _dead_letter_count(client, settings, 1))
            await eventually(lambda: _pending_is(client, settings, 0))
        assert database.course_grades == {}
        dead = RedisDeadLetters(client, settings.queue.stream)
        [letter] = await dead.list()
        assert letter.attempts == 3
        assert "bug" in letter.error
        assert json.loads(letter.message)["task_name"] == "stats.ingest_grades"
        # The fault is fixed: replay, and the events are recorded once.
        async with RunningWorker(settings, recorder(database)):
            assert await dead.replay() == 1
            await eventually(lambda: len(database.course_grades) == 2)
        assert await dead.count() == 0


async def test_the_database_number_in_the_url_is_honoured(
    redis_url: str, redis_namespace: str
) -> None:
    url = urlsplit(redis_url)._replace(path="/7").geturl()
    settings = queue_settings(url, redis_namespace)
    db7 = redis.from_url(url)
    db0 = redis.from_url(urlsplit(redis_url)._replace(path="/0").geturl())
    try:
        async with Publisher(settings) as publisher:
            await publisher.publish(grade_events(1))
        assert await db7.xlen(settings.queue.stream) == 1
        assert not await db0.exists(settings.queue.stream)
    finally:
        await db7.delete(settings.queue.stream)
        await db7.aclose()
        await db0.aclose()


async def test_an_entry_nobody_can_finish_is_dead_lettered_after_max_deliveries(
    settings: Settings, client: redis.Redis
) -> None:
    async with Publisher(settings) as publisher:
        await publisher.publish(grade_events(1))
    [[_, [(entry_id, _)]]] = await client.xreadgroup(
        settings.queue.consumer_group, "crashing-consumer", {settings.queue.stream: ">"}, count=1
    )
    # As if ten workers in a row had crashed on it.
    await client.xclaim(
        settings.queue.stream,
        settings.queue.consumer_group,
        "crashing-consumer",
        min_idle_time=0,
        message_ids=[entry_id],
        idle=5000,
        retrycount=10,
    )
    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        await eventually(lambda: _dead_letter_count(client, settings, 1))
    [letter] = await RedisDeadLetters(client, settings.queue.stream).list()
    assert letter.attempts == 11
    assert letter.source_id == entry_id.decode()
    assert database.course_grades == {}
    assert uuid.UUID(json.loads(letter.message)["task_id"])
