"""The taskiq tasks: decode a queue message and hand it to one use case."""

from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, Context, TaskiqDepends

from adapters import event_codec
from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler

INGEST_TASK = "stats.ingest_grades"


def record_grades_of(context: Context = TaskiqDepends()) -> RecordGradesHandler:
    handler: RecordGradesHandler = context.state.record_grades
    return handler


async def ingest_grades(
    events: list[dict[str, Any]],
    record: RecordGradesHandler = TaskiqDepends(record_grades_of),
) -> int:
    """Record a message's grade events in one transaction; returns how many changed anything."""
    return await record(RecordGrades(event_codec.decode(events)))


def register_tasks(broker: AsyncBroker) -> AsyncTaskiqDecoratedTask[Any, int]:
    return broker.register_task(ingest_grades, task_name=INGEST_TASK)
