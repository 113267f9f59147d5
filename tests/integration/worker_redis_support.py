"""Shared helpers for the Redis queue tests (not a test module)."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Self

from dependency_injector import providers
from taskiq.formatters.json_formatter import JSONFormatter
from taskiq.kicker import AsyncKicker
from taskiq.message import TaskiqMessage

from adapters import event_codec
from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.queue.taskiq_publisher import INGEST_LABELS, INGEST_TASK
from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler
from domain.events import CourseGraded, GradeEvent
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings
from entrypoints.worker.runner import run_worker

# Short timings so that recovery and trimming happen within a test's second or two.
FAST = {
    "queue": {"idle_timeout": 1.0, "trim_interval": 0.5},
    "worker": {
        "drain_timeout": 2.0,
        "retry_initial_delay": 0.05,
        "retry_max_delay": 0.2,
        "max_attempts": 3,
    },
}
BASE_TIME = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


async def pending(client: Any, settings: Settings) -> int:
    """Entries of the test's stream delivered to its group and not acknowledged yet."""
    summary = await client.xpending(settings.queue.stream, settings.queue.consumer_group)
    return int(summary["pending"])


def queue_settings(redis_url: str, namespace: str) -> Settings:
    return Settings(
        queue={
            "redis_url": redis_url,
            "stream": f"{namespace}:events",
            "consumer_group": f"{namespace}-g",
        }
    )


def grade_events(count: int) -> list[GradeEvent]:
    student = uuid.uuid4()
    return [
        CourseGraded(
            uuid.uuid4(),
            student,
            "course-1",
            Decimal("7.5"),
            True,
            BASE_TIME + timedelta(minutes=i),
            BASE_TIME + timedelta(minutes=i),
        )
        for i in range(count)
    ]


def recorder(database: InMemoryDatabase) -> RecordGradesHandler:
    return RecordGradesHandler(lambda: InMemoryUnitOfWork(database))


def fast_container(
    settings: Settings, record_grades: Callable[[RecordGrades], Awaitable[int]] | None = None
) -> Container:
    """The service's container over `settings` with the FAST timings (and `record_grades` in
    place of the RecordGrades use case)."""
    fast = {group: getattr(settings, group).model_copy(update=v) for group, v in FAST.items()}
    container = build_container(settings.model_copy(update=fast))
    container.adapters.redis_broker.add_kwargs(xread_block_ms=200)
    if record_grades is not None:
        container.use_cases.record_grades.override(providers.Object(record_grades))
    return container


class FlakyUnitOfWork:
    """Raises `error` on entry for the first `failures` transactions, then works."""

    def __init__(self, database: InMemoryDatabase, failures: int, error: Exception) -> None:
        self.database = database
        self.failures = failures
        self.error = error
        self.attempts = 0

    def __call__(self) -> InMemoryUnitOfWork:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        return InMemoryUnitOfWork(self.database)


class Publisher:
    """Kicks the ingest task the way the API does, through the container's broker."""

    def __init__(self, settings: Settings) -> None:
        self.broker = fast_container(settings).adapters.broker()
        self._kicker: AsyncKicker[Any, int] = AsyncKicker(
            INGEST_TASK, self.broker, dict(INGEST_LABELS)
        )

    async def __aenter__(self) -> Self:
        await self.broker.startup()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.shutdown()

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        await self.kick(event_codec.encode(events))

    async def kick(self, payload: Any) -> None:
        """A message with any payload, as the ingest task's argument."""
        await self._kicker.kiq(payload)


class RunningWorker:
    """`run_worker` in a background task of this event loop, over the FAST container."""

    def __init__(self, settings: Settings, handler: RecordGradesHandler) -> None:
        self.stop_event = asyncio.Event()
        self._run = run_worker(fast_container(settings, handler), stop_event=self.stop_event)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop_event.set()
        assert self._task is not None
        await asyncio.wait_for(self._task, timeout=10)


async def eventually(
    check: Callable[[], Awaitable[Any]] | Callable[[], Any], timeout: float = 8.0
) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)


def taskiq_message(events: list[GradeEvent]) -> bytes:
    message = TaskiqMessage(
        task_id=uuid.uuid4().hex,
        task_name=INGEST_TASK,
        labels={"ack_type": "manual"},
        args=[event_codec.encode(events)],
        kwargs={},
    )
    return JSONFormatter().dumps(message).message
