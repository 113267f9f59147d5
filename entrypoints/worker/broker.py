"""Brokers, built on demand (nothing connects at import time)."""

from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask
from taskiq.kicker import AsyncKicker

from adapters.redis_queue import ReliableRedisStreamBroker
from entrypoints.settings import Settings
from entrypoints.worker.batching import BatchingRecorder, BatchOptions, Recorder
from entrypoints.worker.options import QueueOptions
from entrypoints.worker.retry import RetryPolicy
from entrypoints.worker.tasks import register_tasks


def redis_broker(
    settings: Settings, options: QueueOptions | None = None
) -> ReliableRedisStreamBroker:
    """The durable queue: the Redis stream `settings.queue_name` at `settings.queue_url`
    (its database number honoured), read by the consumer group `settings.consumer_group`."""
    url = settings.queue_url
    if not url:
        raise ValueError("no queue configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)")
    options = options or QueueOptions.from_settings(settings)
    broker = ReliableRedisStreamBroker(
        url,
        queue_name=settings.queue_name,
        consumer_group_name=settings.consumer_group,
        consumer_name=options.consumer_name,
        idle_timeout=options.idle_timeout,
        trim_interval=options.trim_interval,
        max_deliveries=options.max_deliveries,
        xread_block_ms=options.xread_block_ms,
        xread_count=options.xread_count,
        xread_linger=options.xread_linger,
    )
    register_tasks(broker)
    return broker


def ingest_task(broker: AsyncBroker) -> AsyncTaskiqDecoratedTask[Any, int]:
    from entrypoints.worker.tasks import INGEST_TASK

    task = broker.find_task(INGEST_TASK)
    assert task is not None, "register_tasks() was not called on this broker"
    return task


def ingest_kicker(broker: AsyncBroker) -> AsyncKicker[Any, int]:
    """One kicker of the ingest task, to publish with: the task's own `kiq` builds a new one
    (copying its labels) for every message."""
    return ingest_task(broker).kicker()


def attach(
    broker: AsyncBroker,
    record_grades: Recorder,
    retry: RetryPolicy | None = None,
    batching: BatchOptions | None = None,
) -> None:
    """Give the tasks the use case they call (and how to retry it). The messages they process
    at once are recorded together (see `batching`)."""
    broker.state.record_grades = BatchingRecorder(record_grades, batching)
    broker.state.retry_policy = retry or RetryPolicy()
