"""A worker process for the shutdown tests (not a test module).

    python worker_redis_process.py REDIS_URL NAMESPACE

Runs `run_worker_process` (the code behind `classconnect-stats worker`) over the queue of
NAMESPACE, with a use case that announces each message (SET NAMESPACE:started) and then hangs,
like a database that stopped answering.
"""

import asyncio
import sys

import redis.asyncio as redis
from dependency_injector import providers

from application.commands import RecordGrades
from application.handlers.record_grades import Recorded
from entrypoints.container import build_container
from entrypoints.settings import Settings
from entrypoints.worker.runner import run_worker_process


class HangingRecorder:
    def __init__(self, url: str, namespace: str) -> None:
        self._url = url
        self._namespace = namespace

    async def __call__(self, command: RecordGrades) -> Recorded:
        client = redis.from_url(self._url)
        await client.set(f"{self._namespace}:started", str(command.events[0].event_id))
        await client.aclose()
        await asyncio.Event().wait()
        return Recorded(0)


def main() -> None:
    url, namespace = sys.argv[1], sys.argv[2]
    settings = Settings(
        queue={
            "redis_url": url,
            "stream": f"{namespace}:events",
            "consumer_group": f"{namespace}-g",
            "idle_timeout": 1.0,
            "trim_interval": 0.5,
        },
        worker={"drain_timeout": 2.0},
    )
    container = build_container(settings)
    container.use_cases.record_grades.override(providers.Object(HangingRecorder(url, namespace)))
    run_worker_process(container)


if __name__ == "__main__":
    main()
