"""The taskiq tasks: decode a queue message and hand it to one use case.

Outcomes of `stats.ingest_grades` (acknowledged manually, see `adapters.queue.delivery`):
- recorded: acknowledged after the transaction commits (one transaction for the messages
  processed at once, see `adapters.queue.recording`);
- malformed (not ours, or corrupted): dead-lettered and acknowledged at once;
- recorded, but with events reusing an id another grade holds (`conflicting_duplicate`): those
  are left out, the rest recorded, and the message dead-lettered so that a person sees them;
- the database is unavailable: retried with backoff until it is back, never acknowledged before;
- any other error, `max_failed_attempts` times in a row: dead-lettered and acknowledged;
- the worker stops meanwhile: left un-acknowledged for another consumer.

A task takes what it needs from the container `serve_tasks` put in the broker's state.
"""

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from taskiq import AsyncBroker, Context, TaskiqDepends

from adapters import event_codec
from adapters.queue.delivery import Delivery
from adapters.queue.recording import Recorder
from adapters.queue.retry import GaveUp, RetryPolicy, Stopped, retrying
from adapters.queue.taskiq_publisher import INGEST_LABELS, INGEST_TASK
from application.commands import RecordGrades
from domain.errors import InvalidInput
from entrypoints.container import Container
from entrypoints.worker import metrics

__all__ = ["INGEST_TASK", "ingest_grades", "serve_tasks"]

log = logging.getLogger(__name__)

# The reason a dead letter starts with when its message reused an event id for another grade.
CONFLICTING_DUPLICATE = "conflicting_duplicate"


def serve_tasks(broker: AsyncBroker, container: Container) -> None:
    """Register the tasks on `broker`, to run with what `container` provides."""
    broker.state.container = container
    if broker.find_task(INGEST_TASK) is None:
        broker.register_task(ingest_grades, task_name=INGEST_TASK, **INGEST_LABELS)


def container_of(context: Context = TaskiqDepends()) -> Container:
    container: Container = context.state.container
    return container


def record_grades_of(container: Container = TaskiqDepends(container_of)) -> Recorder:
    """The use case, behind the batching recorder: the events of messages processed at once
    are recorded in one transaction, and each message is acknowledged only once that
    transaction has committed."""
    recorder: Recorder = container.worker.recorder()
    return recorder


def retry_policy_of(container: Container = TaskiqDepends(container_of)) -> RetryPolicy:
    policy: RetryPolicy = container.worker.retry_policy()
    return policy


async def ingest_grades(
    events: list[dict[str, Any]],
    context: Context = TaskiqDepends(),
    record: Recorder = TaskiqDepends(record_grades_of),
    policy: RetryPolicy = TaskiqDepends(retry_policy_of),
) -> int:
    """Record a message's grade events in one transaction; returns how many changed anything."""
    delivery = Delivery(context)
    try:
        command = RecordGrades(event_codec.decode(events))
    except (ValidationError, InvalidInput) as e:
        await delivery.dead_letter(f"malformed message: {e}", attempts=delivery.count)
        _count(delivery, failed=events)
        return 0
    try:
        recorded = await retrying(
            lambda: record(command), policy, stopping=delivery.stopping, what="recording grades"
        )
    except GaveUp as e:
        await delivery.dead_letter(str(e), attempts=e.attempts)
        _count(delivery, failed=events)
        return 0
    except Stopped:
        log.info("worker stopping: message %s left for another consumer", context.message.task_id)
        return 0
    mine = {e.event_id for e in command.events}
    reused = sorted(str(e.event_id) for e in recorded.reused if e.event_id in mine)
    if reused:
        # The rest of the message is recorded; the message is kept for a person to see.
        await delivery.dead_letter(
            f"{CONFLICTING_DUPLICATE}: event ids {', '.join(reused)} already name other grades;"
            " the message's other events were recorded",
            attempts=delivery.count,
        )
        _count(
            delivery,
            processed=[e for e in events if str(e.get("event_id")) not in reused],
            failed=[e for e in events if str(e.get("event_id")) in reused],
        )
        return recorded.changed
    await delivery.ack()
    _count(delivery, processed=events)
    return recorded.changed


def _count(
    delivery: Delivery, *, processed: Sequence[dict[str, Any]] = (),
    failed: Sequence[dict[str, Any]] = (),
) -> None:
    """In the worker's metrics, and in the queue's per-minute counts of all workers."""
    metrics.count_processed(processed)
    metrics.count_failed(failed)
    delivery.count_outcomes(processed=len(processed), failed=len(failed))
