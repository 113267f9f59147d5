"""The taskiq tasks: decode a queue message and hand it to one use case.

Outcomes of `stats.ingest_grades` (acknowledged manually, see `delivery`):
- recorded: acknowledged after the transaction commits (one transaction for the messages
  processed at once, see `batching`);
- malformed (not ours, or corrupted): dead-lettered and acknowledged at once;
- the database is unavailable: retried with backoff until it is back, never acknowledged before;
- any other error, `max_failed_attempts` times in a row: dead-lettered and acknowledged;
- the worker stops meanwhile: left un-acknowledged for another consumer.
"""

import logging
from typing import Any

from pydantic import ValidationError
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, Context, TaskiqDepends
from taskiq.acks import AcknowledgeType

from adapters import event_codec
from application.commands import RecordGrades
from domain.errors import InvalidInput
from entrypoints.worker import metrics
from entrypoints.worker.batching import Recorder
from entrypoints.worker.delivery import Delivery
from entrypoints.worker.retry import GaveUp, RetryPolicy, Stopped, retrying

INGEST_TASK = "stats.ingest_grades"

log = logging.getLogger(__name__)


def record_grades_of(context: Context = TaskiqDepends()) -> Recorder:
    """The use case, behind the batching recorder `attach` put there: the events of messages
    processed at once are recorded in one transaction, and each message is acknowledged only
    once that transaction has committed."""
    handler: Recorder = context.state.record_grades
    return handler


def retry_policy_of(context: Context = TaskiqDepends()) -> RetryPolicy:
    policy = getattr(context.state, "retry_policy", None)
    return policy if isinstance(policy, RetryPolicy) else RetryPolicy()


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
        metrics.count_failed(events)
        return 0
    try:
        changed = await retrying(
            lambda: record(command), policy, stopping=delivery.stopping, what="recording grades"
        )
    except GaveUp as e:
        await delivery.dead_letter(str(e), attempts=e.attempts)
        metrics.count_failed(events)
        return 0
    except Stopped:
        log.info("worker stopping: message %s left for another consumer", context.message.task_id)
        return 0
    await delivery.ack()
    metrics.count_processed(events)
    return changed


def register_tasks(broker: AsyncBroker) -> AsyncTaskiqDecoratedTask[Any, int]:
    # The label as its plain value: taskiq sends an enum label as "AcknowledgeType.MANUAL",
    # which its Receiver cannot parse, so every message had to be re-encoded on delivery.
    return broker.register_task(
        ingest_grades, task_name=INGEST_TASK, ack_type=AcknowledgeType.MANUAL.value
    )
