"""The composition root picks the storage by the database URL and the queue by the queue URL, each
in one place, for every process alike; nothing connects while it builds."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from dependency_injector import providers

from adapters.memory import InMemoryStatsReader, InMemoryUnitOfWork
from adapters.postgres import ConnectionPool, PostgresStatsReader, PostgresUnitOfWork
from adapters.queue.coalescing import CoalescingEventQueue
from adapters.queue.in_process import InProcessEventQueue
from adapters.queue.redis import RedisDeadLetters, RedisQueueInspector, ReliableRedisStreamBroker
from application.commands import RecordGrades
from application.handlers.record_grades import Recorded
from domain.events import CourseGraded, GradeEvent
from entrypoints.container import build_container
from entrypoints.settings import Settings

NOWHERE_POSTGRES = "postgresql://nobody@127.0.0.1:1/nowhere"
NOWHERE_REDIS = "redis://127.0.0.1:1/0"
AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def grade_events(count: int) -> list[GradeEvent]:
    return [
        CourseGraded(uuid.uuid4(), uuid.uuid4(), "c1", Decimal(7), True, AT, AT)
        for _ in range(count)
    ]


@pytest.mark.parametrize("database_url", [None, NOWHERE_POSTGRES])
@pytest.mark.parametrize("redis_url", [None, NOWHERE_REDIS])
def test_storage_and_queue_follow_their_urls(
    database_url: str | None, redis_url: str | None
) -> None:
    container = build_container(
        Settings(database={"url": database_url}, queue={"redis_url": redis_url})
    )
    adapters, use_cases = container.adapters, container.use_cases
    if database_url is None:
        assert adapters.pool() is None
        assert isinstance(adapters.unit_of_work(), InMemoryUnitOfWork)
        assert isinstance(adapters.stats_reader(), InMemoryStatsReader)
    else:
        assert isinstance(adapters.pool(), ConnectionPool)
        assert isinstance(adapters.unit_of_work(), PostgresUnitOfWork)
        assert isinstance(adapters.stats_reader(), PostgresStatsReader)
    if redis_url is None:
        assert isinstance(use_cases.event_queue(), InProcessEventQueue)
        assert (adapters.broker(), adapters.queue_inspector(), adapters.dead_letters()) == (
            None, None, None
        )
    else:
        assert isinstance(use_cases.event_queue(), CoalescingEventQueue)
        assert isinstance(adapters.broker(), ReliableRedisStreamBroker)
        assert isinstance(adapters.queue_inspector(), RedisQueueInspector)
        assert isinstance(adapters.dead_letters(), RedisDeadLetters)


async def test_the_worker_and_the_in_process_queue_share_one_record_grades_use_case() -> None:
    recorded: list[list[GradeEvent]] = []

    async def record_grades(command: RecordGrades) -> Recorded:
        recorded.append(list(command.events))
        return Recorded(len(command.events))

    events = grade_events(2)
    for redis_url in (None, NOWHERE_REDIS):
        container = build_container(
            Settings(queue={"redis_url": redis_url}, worker={"batch_linger": 0})
        )
        container.use_cases.record_grades.override(providers.Object(record_grades))
        if redis_url is None:
            await container.use_cases.event_queue().publish(events)
        else:
            assert (await container.worker.recorder()(RecordGrades(events))).changed == 2
    assert recorded == [events, events]
