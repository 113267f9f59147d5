"""The broker for `taskiq worker entrypoints.worker.app:broker`.

Built from the environment (Settings()) at import, without connecting. In each worker process
WORKER_STARTUP builds the use case the task calls (see `dependencies`) and WORKER_SHUTDOWN closes
it. Suggested flags, so that a stop stays within 10 s:
`--wait-tasks-timeout 5 --shutdown-timeout 3` (tasks stop retrying as soon as listening stops,
and unfinished messages are released for other consumers on shutdown).
"""

from contextlib import AsyncExitStack

from taskiq import TaskiqEvents, TaskiqState

from entrypoints.settings import Settings
from entrypoints.worker.broker import attach, redis_broker
from entrypoints.worker.dependencies import use_worker_dependencies, worker_dependencies
from entrypoints.worker.options import WorkerOptions

__all__ = ["broker", "use_worker_dependencies"]

settings = Settings()
broker = redis_broker(settings)


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _build_dependencies(state: TaskiqState) -> None:
    stack = AsyncExitStack()
    record_grades = await stack.enter_async_context(worker_dependencies(settings))
    state.worker_resources = stack
    options = WorkerOptions.from_settings(settings)
    attach(broker, record_grades, options.retry, options.batching)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _close_dependencies(state: TaskiqState) -> None:
    stack: AsyncExitStack | None = getattr(state, "worker_resources", None)
    if stack is not None:
        await stack.aclose()
