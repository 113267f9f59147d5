"""The worker records the messages it processes at once in one transaction, acknowledges each
only after that commit, and does not let one bad message take the others down with it."""

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import pytest
import redis.asyncio as redis
from worker_redis_support import (
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    pending,
)

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from application.handlers.record_grades import RecordGradesHandler
from application.ports.errors import StoreUnavailable
from domain.events import CourseGraded, GradeEvent, TaskGraded
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration

MESSAGES = 30


class CountingUnitOfWork:
    """An in-memory unit of work that counts transactions and refuses a poisoned student."""

    def __init__(
        self,
        database: InMemoryDatabase,
        log: list[int],
        poison: uuid.UUID | None = None,
        transient_failures: list[Exception] | None = None,
    ) -> None:
        self._uow = InMemoryUnitOfWork(database)
        self._log = log
        self._poison = poison
        self._transient = transient_failures if transient_failures is not None else []

    async def __aenter__(self) -> Self:
        await self._uow.__aenter__()
        self.grades = self
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._uow.__aexit__(exc_type, exc, tb)

    async def record(self, events: Sequence[GradeEvent]) -> int:
        if self._transient:
            raise self._transient.pop()
        if any(e.student_id == self._poison for e in events):
            raise RuntimeError("poisoned")
        return await self._uow.grades.record(events)

    async def reused_ids(self, grades: Sequence[CourseGraded | TaskGraded]) -> set[uuid.UUID]:
        return await self._uow.grades.reused_ids(grades)

    async def commit(self) -> None:
        await self._uow.commit()
        self._log.append(1)


async def all_acknowledged(client: redis.Redis, settings: Settings) -> bool:
    return await pending(client, settings) == 0


async def test_messages_processed_at_once_share_a_transaction(
    settings: Settings, client: redis.Redis
) -> None:
    database, commits = InMemoryDatabase(), []
    handler = RecordGradesHandler(lambda: CountingUnitOfWork(database, commits))
    messages = [grade_events(2) for _ in range(MESSAGES)]
    async with Publisher(settings) as publisher:
        for events in messages:  # all waiting before the worker starts
            await publisher.publish(events)
        async with RunningWorker(settings, handler):
            await eventually(lambda: len(database.course_grades) == 2 * MESSAGES)
            await eventually(lambda: all_acknowledged(client, settings))
    assert len(commits) < MESSAGES


async def test_a_bad_message_fails_alone(settings: Settings, client: redis.Redis) -> None:
    database, commits = InMemoryDatabase(), []
    poisoned = grade_events(1)
    handler = RecordGradesHandler(
        lambda: CountingUnitOfWork(database, commits, poison=poisoned[0].student_id)
    )
    good = [grade_events(2) for _ in range(MESSAGES)]
    async with Publisher(settings) as publisher:
        for events in good[:10] + [poisoned] + good[10:]:
            await publisher.publish(events)
        async with RunningWorker(settings, handler):
            await eventually(lambda: len(database.course_grades) == 2 * MESSAGES)
            await eventually(
                lambda: _equals(client.xlen(f"{settings.queue.stream}:dead-letters"), 1)
            )
            await eventually(lambda: all_acknowledged(client, settings))
    assert poisoned[0].event_id not in database.course_grades


async def test_a_transient_failure_of_a_batch_is_retried_for_every_message(
    settings: Settings, client: redis.Redis
) -> None:
    database, commits = InMemoryDatabase(), []
    failures: list[Exception] = [StoreUnavailable("db down") for _ in range(3)]
    handler = RecordGradesHandler(
        lambda: CountingUnitOfWork(database, commits, transient_failures=failures)
    )
    async with Publisher(settings) as publisher:
        for _ in range(MESSAGES):
            await publisher.publish(grade_events(1))
        async with RunningWorker(settings, handler):
            await eventually(lambda: len(database.course_grades) == MESSAGES)
            await eventually(lambda: all_acknowledged(client, settings))
    assert failures == []
    assert await client.xlen(f"{settings.queue.stream}:dead-letters") == 0


async def _equals(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]
