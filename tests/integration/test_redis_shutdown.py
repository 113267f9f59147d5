"""SIGTERM stops a worker process within 10 s, and what it held is processed by another."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis.asyncio as redis
from worker_redis_support import (
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    recorder,
)

from adapters.memory import InMemoryDatabase
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("worker_redis_process.py")


def start_worker(redis_url: str, namespace: str, log: Path) -> subprocess.Popen[bytes]:
    return spawn([sys.executable, str(SCRIPT), redis_url, namespace], {}, log)


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def stop(process: subprocess.Popen[bytes]) -> float:
    """Send SIGTERM; seconds until the process exited (killed after 15 s)."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    while process.poll() is None:
        if time.monotonic() - started > 15:
            process.kill()
            break
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_sigterm_releases_the_in_flight_message_for_another_consumer(
    redis_url: str, redis_namespace: str, settings: Settings, client: redis.Redis, tmp_path: Path
) -> None:
    events = grade_events(2)
    async with Publisher(settings) as publisher:
        await publisher.publish(events)
    process = start_worker(redis_url, redis_namespace, tmp_path / "worker.log")
    try:
        await eventually(lambda: client.exists(f"{redis_namespace}:started"), timeout=15)
    finally:
        took = await stop(process)
    log = (tmp_path / "worker.log").read_text()
    assert took < 10, log
    assert process.returncode == 0, log
    assert "released 1 unfinished queue entries" in log
    summary = await client.xpending(settings.queue.stream, settings.queue.consumer_group)
    assert summary["pending"] == 1  # not acknowledged

    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        await eventually(lambda: len(database.course_grades) == 2, timeout=5)
    summary = await client.xpending(settings.queue.stream, settings.queue.consumer_group)
    assert summary["pending"] == 0


async def test_sigterm_stops_an_idle_worker_promptly(
    redis_url: str, redis_namespace: str, settings: Settings, client: redis.Redis, tmp_path: Path
) -> None:
    process = start_worker(redis_url, redis_namespace, tmp_path / "worker.log")
    try:
        # Blocked in XREADGROUP once its group exists.
        await eventually(lambda: client.exists(settings.queue.stream), timeout=15)
        await asyncio.sleep(0.5)
    finally:
        took = await stop(process)
    log = (tmp_path / "worker.log").read_text()
    assert took < 5, log
    assert process.returncode == 0, log


async def test_the_plain_taskiq_cli_worker_consumes_and_stops(
    redis_url: str, settings: Settings, client: redis.Redis, tmp_path: Path
) -> None:
    async with Publisher(settings) as publisher:
        await publisher.publish(grade_events(2))
    env = {
        "STATS_REDIS_URL": redis_url,
        "STATS_QUEUE_NAME": settings.queue.stream,
        "STATS_CONSUMER_GROUP": settings.queue.consumer_group,
        "STATS_STORAGE": "memory",
    }
    taskiq = Path(sys.executable).with_name("taskiq")
    log = tmp_path / "taskiq.log"
    process = spawn(
        [str(taskiq), "worker", "entrypoints.worker.app:broker", "--workers", "1"]
        + ["--wait-tasks-timeout", "5", "--shutdown-timeout", "3"],
        env,
        log,
    )
    try:
        await eventually(lambda: _all_acknowledged(client, settings), timeout=20)
    finally:
        took = await stop(process)
    assert took < 10, log.read_text()
    assert await client.xlen(f"{settings.queue.stream}:dead-letters") == 0, log.read_text()


async def _all_acknowledged(client: redis.Redis, settings: Settings) -> bool:
    try:
        [group] = await client.xinfo_groups(settings.queue.stream)
    except ValueError:
        return False
    return group["pending"] == 0 and group["lag"] == 0 and group["entries-read"] == 1
