"""Listing and replaying dead letters, as `classconnect-stats dead-letters` does."""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from worker_redis_support import (
    RunningWorker,
    eventually,
    grade_events,
    recorder,
    taskiq_message,
)

from adapters.memory import InMemoryDatabase
from adapters.redis_queue import DeadLetters
from entrypoints.settings import Settings
from entrypoints.worker.dead_letters import (
    count_dead_letters,
    list_dead_letters,
    replay_dead_letters,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def letters(redis_url: str, settings: Settings) -> AsyncIterator[DeadLetters]:
    client = redis.from_url(redis_url)
    yield DeadLetters(client, settings.queue_name)
    await client.aclose()


async def test_dead_letters_are_listed_oldest_first_and_paged(
    settings: Settings, letters: DeadLetters
) -> None:
    first = await letters.add(b"one", error="boom", attempts=2, source_id="1-0")
    await letters.add(b"two", error="bang", attempts=1)
    listed = await list_dead_letters(settings, limit=10)
    assert [(d["message"], d["error"], d["attempts"]) for d in listed] == [
        ("one", "boom", 2),
        ("two", "bang", 1),
    ]
    assert listed[0]["id"] == first and listed[0]["source_id"] == "1-0"
    assert listed[0]["failed_at"]
    assert [d["message"] for d in await list_dead_letters(settings, after=first)] == ["two"]
    assert await count_dead_letters(settings) == 2


async def test_replay_requeues_the_original_message_and_removes_the_letter(
    settings: Settings, letters: DeadLetters, redis_url: str
) -> None:
    keep = await letters.add(b"keep", error="e", attempts=1)
    again = await letters.add(b"again", error="e", attempts=1)
    assert await replay_dead_letters(settings, ids=[again, "0-1"]) == 1
    assert [d.id for d in await letters.list()] == [keep]
    client = redis.from_url(redis_url)
    try:
        [(_, fields)] = await client.xrange(settings.queue_name)
    finally:
        await client.aclose()
    assert fields == {b"data": b"again"}
    assert await replay_dead_letters(settings, ids=[again]) == 0


async def test_replay_all_and_the_worker_records_them(
    settings: Settings, letters: DeadLetters
) -> None:
    events = grade_events(3)
    for event in events:
        await letters.add(taskiq_message([event]), error="db was down", attempts=5)
    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        assert await replay_dead_letters(settings) == 3
        await eventually(lambda: len(database.course_grades) == 3)
    assert await letters.count() == 0
