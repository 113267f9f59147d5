"""Running the worker in this process: `classconnect-stats worker`, and the worker half of
`classconnect-stats run`.

Stopping (SIGTERM, SIGINT, or `stop_event`): the broker stops reading at once (the Redis client is
built so that a blocked read can be cancelled), tasks get `drain_timeout` seconds to finish, and
whatever is still unfinished is released un-acknowledged for another consumer. A process-wide
deadline (`stop_deadline`, under 10 s) exits even if the event loop is blocked.
"""

import asyncio
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from taskiq import AsyncBroker
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver

from application.handlers.record_grades import RecordGradesHandler
from entrypoints import event_loop
from entrypoints.settings import Settings
from entrypoints.worker.broker import attach, redis_broker
from entrypoints.worker.dependencies import worker_dependencies
from entrypoints.worker.options import QueueOptions, WorkerOptions

if TYPE_CHECKING:
    from aiohttp import web

    from entrypoints.container import Container

log = logging.getLogger(__name__)


async def consume(
    broker: AsyncBroker, *, stop_event: asyncio.Event, options: WorkerOptions | None = None
) -> None:
    """Process messages from a started broker until `stop_event` is set, then drain."""
    options = options or WorkerOptions()
    receiver = Receiver(
        broker,
        max_async_tasks=options.concurrency,
        ack_type=AcknowledgeType.MANUAL,
        wait_tasks_timeout=options.drain_timeout,
        run_startup=False,
    )
    log.info("worker: consuming")
    await receiver.listen(stop_event)
    log.info("worker: stopped consuming")


async def run_worker(
    settings: Settings,
    record_grades: RecordGradesHandler,
    *,
    stop_event: asyncio.Event,
    queue: QueueOptions | None = None,
    worker: WorkerOptions | None = None,
) -> None:
    """A worker over its own Redis broker until `stop_event` is set."""
    worker = worker or WorkerOptions.from_settings(settings)
    broker = redis_broker(settings, queue)
    attach(broker, record_grades, worker.retry, worker.batching)
    broker.is_worker_process = True
    await broker.startup()
    try:
        await consume(broker, stop_event=stop_event, options=worker)
    finally:
        await broker.shutdown()


def run_worker_process(settings: Settings) -> None:
    """`classconnect-stats worker`: run until SIGTERM or SIGINT, exiting within 10 s."""
    event_loop.tune_garbage_collection()
    event_loop.run(_worker_process(settings))


async def _worker_process(settings: Settings) -> None:
    stop_event = asyncio.Event()
    options = WorkerOptions.from_settings(settings)
    _stop_on_signals(stop_event, options.stop_deadline)
    async with worker_dependencies(settings) as record_grades:
        await run_worker(settings, record_grades, stop_event=stop_event, worker=options)


def _stop_on_signals(stop_event: asyncio.Event, deadline: float) -> None:
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        if stop_event.is_set():
            return
        log.info("worker: %s received, stopping", signal.Signals(signum).name)
        stop_event.set()
        # Last resort if the loop is stuck: unfinished messages are reclaimed by others anyway.
        timer = threading.Timer(deadline, _exit_now)
        timer.daemon = True
        timer.start()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop, signum)


def _exit_now() -> None:
    log.error("worker: not stopped in time; exiting")
    os._exit(1)


def in_process_worker(
    container: "Container",
) -> Callable[["web.Application"], AsyncIterator[None]]:
    """For `create_app(container, in_process_worker)`: consume the container's (started,
    attached) broker while the app runs; on cleanup stop and drain before the adapters close."""

    async def worker(app: "web.Application") -> AsyncIterator[None]:
        settings = container.settings()
        stop_event = asyncio.Event()
        broker: Any = container.adapters.broker()
        options = WorkerOptions.from_settings(settings)
        broker.state.retry_policy = options.retry
        consuming = asyncio.create_task(
            consume(broker, stop_event=stop_event, options=options), name="in-process-worker"
        )
        try:
            yield
        finally:
            stop_event.set()
            await consuming

    return worker
