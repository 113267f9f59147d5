"""Listing and replaying dead letters, as `classconnect-stats dead-letters` does."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import pytest
import redis.asyncio as redis
from worker_redis_support import (
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    recorder,
    taskiq_message,
)

from adapters.memory import InMemoryDatabase
from adapters.queue.redis import RedisDeadLetters
from application.ports.queue import DeadLetters
from entrypoints.cli.queue import on_the_queue
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration
T = TypeVar("T")


@pytest.fixture
async def letters(redis_url: str, settings: Settings) -> AsyncIterator[RedisDeadLetters]:
    client = redis.from_url(redis_url)
    yield RedisDeadLetters(client, settings.queue.stream)
    await client.aclose()


async def with_dead_letters(settings: Settings, use: Callable[[DeadLetters], Awaitable[T]]) -> T:
    """What `use` makes of the dead letters as the CLI reaches them (the container's)."""
    return await on_the_queue(settings, lambda container: use(container.adapters.dead_letters()))


async def list_dead_letters(
    settings: Settings, limit: int = 100, after: str | None = None
) -> list[dict[str, Any]]:
    letters = await with_dead_letters(settings, lambda d: d.list(limit=limit, after=after))
    return [letter.as_dict() for letter in letters]


async def replay_dead_letters(settings: Settings, ids: list[str] | None = None) -> int:
    return await with_dead_letters(settings, lambda d: d.replay(ids))


async def test_dead_letters_are_listed_oldest_first_and_paged(
    settings: Settings, letters: RedisDeadLetters
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
    assert await with_dead_letters(settings, lambda d: d.count()) == 2


async def test_replay_requeues_the_original_message_and_removes_the_letter(
    settings: Settings, letters: RedisDeadLetters, redis_url: str
) -> None:
    keep = await letters.add(b"keep", error="e", attempts=1)
    again = await letters.add(b"again", error="e", attempts=1)
    assert await replay_dead_letters(settings, ids=[again, "0-1"]) == 1
    assert [d.id for d in await letters.list()] == [keep]
    client = redis.from_url(redis_url)
    try:
        [(_, fields)] = await client.xrange(settings.queue.stream)
    finally:
        await client.aclose()
    assert fields == {b"data": b"again"}
    assert await replay_dead_letters(settings, ids=[again]) == 0


async def test_replay_all_and_the_worker_records_them(
    settings: Settings, letters: RedisDeadLetters
) -> None:
    events = grade_events(3)
    for event in events:
        await letters.add(taskiq_message([event]), error="db was down", attempts=5)
    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        assert await replay_dead_letters(settings) == 3
        await eventually(lambda: len(database.course_grades) == 3)
    assert await letters.count() == 0


async def test_a_reused_event_id_reaching_the_worker_is_dead_lettered_by_name(
    settings: Settings, letters: RedisDeadLetters
) -> None:
    first, other = grade_events(2)
    reused = replace(first, grade=first.grade + 1)  # the same id, another grade
    database = InMemoryDatabase()
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        await publisher.publish([first])
        await eventually(lambda: len(database.course_grades) == 1)
        await publisher.publish([reused, other])
        await eventually(lambda: len(database.course_grades) == 2)
        [letter] = await eventually(letters.list)
    assert letter.error.startswith(
        f"conflicting_duplicate: event ids {first.event_id} already name other grades"
    )
    assert database.course_grades[first.event_id].grade == first.grade  # the first one stays
    assert other.event_id in database.course_grades  # the rest of the message is recorded
