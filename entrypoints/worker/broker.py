"""Brokers, built on demand (nothing connects at import time)."""

from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, InMemoryBroker

from application.handlers.record_grades import RecordGradesHandler
from entrypoints.worker.tasks import register_tasks


def in_memory_broker() -> InMemoryBroker:
    """Runs every task in this process, in the background of the request that queued it."""
    broker = InMemoryBroker()
    register_tasks(broker)
    return broker


def ingest_task(broker: AsyncBroker) -> AsyncTaskiqDecoratedTask[Any, int]:
    from entrypoints.worker.tasks import INGEST_TASK

    task = broker.find_task(INGEST_TASK)
    assert task is not None, "register_tasks() was not called on this broker"
    return task


def attach(broker: AsyncBroker, record_grades: RecordGradesHandler) -> None:
    """Give the tasks the use case they call."""
    broker.state.record_grades = record_grades
