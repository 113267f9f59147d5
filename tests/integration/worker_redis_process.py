"""A worker process for the shutdown tests (not a test module).

    python worker_redis_process.py REDIS_URL NAMESPACE

Runs `run_worker_process` (the code behind `classconnect-stats worker`) over the queue of
NAMESPACE, with a use case that announces each message (SET NAMESPACE:started) and then hangs,
like a database that stopped answering.
"""

import asyncio
import contextlib
import sys

import redis.asyncio as redis

from application.commands import RecordGrades
from entrypoints.settings import Settings
from entrypoints.worker.dependencies import use_worker_dependencies
from entrypoints.worker.runner import run_worker_process


class HangingRecorder:
    def __init__(self, url: str, namespace: str) -> None:
        self._url = url
        self._namespace = namespace

    async def __call__(self, command: RecordGrades) -> int:
        client = redis.from_url(self._url)
        await client.set(f"{self._namespace}:started", str(command.events[0].event_id))
        await client.aclose()
        await asyncio.Event().wait()
        return 0


def main() -> None:
    url, namespace = sys.argv[1], sys.argv[2]
    settings = Settings(
        redis_url=url,
        queue_name=f"{namespace}:events",
        consumer_group=f"{namespace}-g",
        queue_idle_timeout=1.0,
        queue_trim_interval=0.5,
        worker_drain_timeout=2.0,
    )
    use_worker_dependencies(lambda _: contextlib.nullcontext(HangingRecorder(url, namespace)))
    run_worker_process(settings)


if __name__ == "__main__":
    main()
