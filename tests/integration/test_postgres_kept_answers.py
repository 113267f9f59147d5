"""Kept answers on the real database: an API over PostgreSQL keeps a read's answer, and a grade
a worker (another connection, as another process) commits replaces it, through the change feed
the API listens to."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, postgres_pool
from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler
from domain.events import TaskGraded
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.keys import ANSWER_CACHE
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration

DEADLINE = 30.0  # seconds: a bound for a hung test, not a measure of speed
ANA = uuid.uuid4()
READ = "/stats/course/c1/task/t1/averages"


@pytest.fixture
async def worker_pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, min_size=1, max_size=2) as pool:
        yield pool


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await condition():
        assert time.monotonic() < deadline, "not within the test's deadline"
        await asyncio.sleep(0.02)


def grade(value: str, graded_at: datetime) -> TaskGraded:
    now = datetime.now(UTC)
    return TaskGraded(uuid.uuid4(), ANA, "c1", "t1", Decimal(value), True, graded_at, now)


async def test_a_grade_the_worker_commits_replaces_the_kept_answer(
    fresh_database_url: str,
    worker_pool: ConnectionPool,
    aiohttp_client: Callable[[Any], Awaitable[Any]],
) -> None:
    record = RecordGradesHandler(lambda: PostgresUnitOfWork(worker_pool))
    await record(RecordGrades((grade("5", datetime(2026, 1, 5, tzinfo=UTC)),)))
    app = create_app(build_container(Settings(database={"url": fresh_database_url})))
    client = await aiohttp_client(app)
    cache = app[ANSWER_CACHE]

    async def listening() -> bool:
        return cache.in_use

    async def average() -> object:
        response = await client.get(READ)
        assert response.status == 200
        return (await response.json())["group_average"]

    await until(listening)
    assert await average() == 5
    assert await average() == 5
    assert cache.counts.hits >= 1  # the second read was the kept answer

    await record(RecordGrades((grade("9", datetime(2026, 1, 6, tzinfo=UTC)),)))

    async def regraded() -> bool:
        return await average() == 9

    await until(regraded)
    assert await average() == 9
