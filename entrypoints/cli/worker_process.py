"""The worker process of `classconnect-stats run`: started when the API has started (its
migrations applied), started again if it exits while the API runs, stopped before the API's
own connections close."""

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from entrypoints.container import Container
from entrypoints.embedded import dies_with_this_process
from entrypoints.settings import Settings

log = logging.getLogger("classconnect_stats")

# Seconds to wait before starting a worker that exited again, doubling up to the last.
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0)
# A worker exits within 10 s of SIGTERM (entrypoints.worker.runner.STOP_DEADLINE).
STOP_TIMEOUT = 15.0


def worker_process(settings: Settings, migrated: asyncio.Event) -> Callable[[Container], Callable[
        [web.Application], AsyncIterator[None]]]:
    """For `create_app(container, worker_process(settings, migrated))`: `classconnect-stats
    worker` with the settings' database and queue URLs, from when `migrated` is set (the API's
    migrations applied, so that the API and not the worker applies them) for as long as the app
    runs."""
    environment = {
        **os.environ,
        "STATS_DATABASE_URL": settings.database.url or "",
        "STATS_REDIS_URL": settings.queue.url or "",
    }

    def start(container: Container) -> Callable[[web.Application], AsyncIterator[None]]:
        async def supervised(app: web.Application) -> AsyncIterator[None]:
            stopping = asyncio.Event()
            running: list[asyncio.subprocess.Process] = []
            keeping = asyncio.create_task(
                _keep_running(environment, stopping, running, migrated), name="worker-process"
            )
            try:
                yield
            finally:
                stopping.set()
                for process in running:
                    await _stop(process)
                keeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeping

        return supervised

    return start


async def _keep_running(
    environment: dict[str, str], stopping: asyncio.Event,
    running: list[asyncio.subprocess.Process], migrated: asyncio.Event,
) -> None:
    await migrated.wait()
    failures = 0
    while not stopping.is_set():
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "entrypoints.cli", "worker",
            env=environment, stdin=asyncio.subprocess.DEVNULL,
            preexec_fn=dies_with_this_process(),
        )
        running[:] = [process]
        log.info("worker process %d started", process.pid)
        started = time.monotonic()
        status = await process.wait()
        if stopping.is_set():
            return
        if time.monotonic() - started > 60:
            failures = 0  # it had been working: a new failure starts the delays over
        delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
        failures += 1
        log.warning("worker process %d exited (status %d); starting another in %.0f s",
                    process.pid, status, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            log.error("worker process %d did not stop in time; killing it", process.pid)
            process.kill()
            await process.wait()
    log.info("worker process %d stopped", process.pid)
