"""The broker for `taskiq worker entrypoints.worker.app:broker`.

Built from the environment at import, through the container, without connecting. In each worker
process WORKER_STARTUP opens the container's pools and WORKER_SHUTDOWN closes them (taskiq starts
and stops the broker itself). Suggested flags, so that a stop stays within 10 s:
`--wait-tasks-timeout 5 --shutdown-timeout 3` (tasks stop retrying as soon as listening stops,
and unfinished messages are released for other consumers on shutdown).
"""

from contextlib import AsyncExitStack

from taskiq import AsyncBroker, TaskiqEvents, TaskiqState

from entrypoints.container import Container, build_container, open_resources
from entrypoints.worker.tasks import serve_tasks

__all__ = ["broker"]


def taskiq_worker_broker(container: Container) -> AsyncBroker:
    broker: AsyncBroker | None = container.adapters.broker()
    if broker is None:
        raise ValueError("no queue configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)")
    serve_tasks(broker, container)
    resources = AsyncExitStack()

    async def open_(state: TaskiqState) -> None:
        await resources.enter_async_context(open_resources(container, start_broker=False))

    async def close(state: TaskiqState) -> None:
        await resources.aclose()

    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, open_)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, close)
    return broker


broker = taskiq_worker_broker(build_container())
