"""Running the worker in this process: `classconnect-stats worker`, and the worker half of
`classconnect-stats run`, both over the container's broker.

Stopping (SIGTERM, SIGINT, or `stop_event`): the broker stops reading at once (the Redis client is
built so that a blocked read can be cancelled), tasks get `STATS_WORKER_DRAIN_TIMEOUT` seconds to
finish, and whatever is still unfinished is released un-acknowledged for another consumer. A
process-wide deadline (`STOP_DEADLINE`, under 10 s) exits even if the event loop is blocked.
"""

import asyncio
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from taskiq import AsyncBroker
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver

from adapters.queue.redis import ReliableRedisStreamBroker
from entrypoints import event_loop
from entrypoints.container import Container, open_resources
from entrypoints.queue_durability import check_queue_durability
from entrypoints.settings import Settings
from entrypoints.worker.metrics import count_reset
from entrypoints.worker.tasks import serve_tasks

log = logging.getLogger(__name__)

STOP_DEADLINE = 9.5  # on stop, seconds before the process exits regardless


async def consume(broker: AsyncBroker, *, stop_event: asyncio.Event, settings: Settings) -> None:
    """Process messages from a started broker until `stop_event` is set, then drain."""
    receiver = Receiver(
        broker,
        max_async_tasks=settings.worker.concurrency,
        ack_type=AcknowledgeType.MANUAL,
        wait_tasks_timeout=settings.worker.drain_timeout,
        run_startup=False,
    )
    log.info("worker: consuming")
    await receiver.listen(stop_event)
    log.info("worker: stopped consuming")


def _serving_broker(container: Container) -> AsyncBroker:
    broker: AsyncBroker | None = container.adapters.broker()
    if broker is None:
        raise ValueError("no queue configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)")
    serve_tasks(broker, container)
    if isinstance(broker, ReliableRedisStreamBroker):
        broker.on_reset = count_reset
    return broker


async def run_worker(container: Container, *, stop_event: asyncio.Event) -> None:
    """A worker over the container's broker until `stop_event` is set."""
    broker = _serving_broker(container)
    broker.is_worker_process = True
    async with open_resources(container):
        await check_queue_durability(container.adapters.queue_inspector(), container.settings())
        await consume(broker, stop_event=stop_event, settings=container.settings())


def run_worker_process(container: Container) -> None:
    """`classconnect-stats worker`: run until SIGTERM or SIGINT, exiting within 10 s."""
    event_loop.tune_garbage_collection()
    event_loop.run(_worker_process(container))


async def _worker_process(container: Container) -> None:
    stop_event = asyncio.Event()
    _stop_on_signals(stop_event, STOP_DEADLINE)
    await run_worker(container, stop_event=stop_event)


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


def in_process_worker(container: Container) -> Callable[[web.Application], AsyncIterator[None]]:
    """For `create_app(container, in_process_worker)`: consume the container's broker (started
    with the app's adapters) while the app runs; on cleanup stop and drain before the adapters
    close."""

    async def worker(app: web.Application) -> AsyncIterator[None]:
        broker = _serving_broker(container)
        stop_event = asyncio.Event()
        consuming = asyncio.create_task(
            consume(broker, stop_event=stop_event, settings=container.settings()),
            name="in-process-worker",
        )
        try:
            yield
        finally:
            stop_event.set()
            await consuming

    return worker
