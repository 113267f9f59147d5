"""Dead letters for people: list them, count them, replay them (`classconnect-stats dead-letters`)."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

from adapters.redis_queue import DeadLetters, cancellable_connection_options
from entrypoints.settings import Settings


@asynccontextmanager
async def dead_letters_of(settings: Settings) -> AsyncIterator[DeadLetters]:
    if not settings.queue_url:
        raise ValueError("no queue configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)")
    redis = Redis.from_url(settings.queue_url, **cancellable_connection_options())
    try:
        yield DeadLetters(redis, settings.queue_name)
    finally:
        await redis.aclose()


async def list_dead_letters(
    settings: Settings, limit: int = 100, after: str | None = None
) -> list[dict[str, Any]]:
    """Oldest first, as JSON-able dicts (id, error, attempts, failed_at, source_id, message)."""
    async with dead_letters_of(settings) as letters:
        return [letter.as_dict() for letter in await letters.list(limit=limit, after=after)]


async def count_dead_letters(settings: Settings) -> int:
    async with dead_letters_of(settings) as letters:
        return await letters.count()


async def replay_dead_letters(settings: Settings, ids: Sequence[str] | None = None) -> int:
    """Re-queue these dead letters (all by default) and delete them; returns how many."""
    async with dead_letters_of(settings) as letters:
        return await letters.replay(ids)
