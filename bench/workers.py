"""Worker throughput: events per second from a pre-filled Redis stream to committed rows.

    .venv/bin/python -m bench.workers [--events 100000] [--per-message 1] [--workers 1 2]

For each worker count: a fresh database (migrated), a fresh stream holding `--events` task grades
in messages of `--per-message` events (1: as single POSTs arrive without coalescing), then that
many `classconnect-stats worker` processes. The clock runs from the first committed grade to the
last (process start-up is not counted). Prints a table; cleans up after itself.
"""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import redis.asyncio as redis
from taskiq.formatters.json_formatter import JSONFormatter
from taskiq.message import TaskiqMessage

from adapters import event_codec
from adapters.postgres import migrate
from domain.events import TaskGraded
from entrypoints.worker.tasks import INGEST_TASK

ROOT = Path(__file__).resolve().parents[1]


def task_grades(count: int, seed: int = 7) -> list[TaskGraded]:
    """Grades over 2,000 courses x 20 tasks and 100,000 students, some of them regrades."""
    rng = random.Random(seed)
    students = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(100_000)]
    start = datetime(2026, 1, 5, tzinfo=UTC)
    grades = []
    for _ in range(count):
        at = start + timedelta(seconds=rng.randrange(90 * 86400))
        grades.append(
            TaskGraded(
                uuid.uuid4(),
                rng.choice(students),
                f"course-{rng.randrange(2000)}",
                f"task-{rng.randrange(20)}",
                Decimal(rng.randrange(1001)) / 100,
                rng.random() < 0.85,
                at,
                at,
            )
        )
    return grades


async def fill_stream(client: redis.Redis, stream: str, grades: list[TaskGraded], per: int) -> int:
    formatter = JSONFormatter()
    messages = 0
    async with client.pipeline(transaction=False) as pipe:
        for start in range(0, len(grades), per):
            message = TaskiqMessage(
                task_id=uuid.uuid4().hex,
                task_name=INGEST_TASK,
                labels={"ack_type": "manual"},
                args=[event_codec.encode(grades[start : start + per])],
                kwargs={},
            )
            pipe.xadd(stream, {b"data": formatter.dumps(message).message})
            messages += 1
            if messages % 5000 == 0:
                await pipe.execute()
        await pipe.execute()
    return messages


async def measure(args: argparse.Namespace, workers: int, grades: list[TaskGraded]) -> dict:
    name = f"bench_workers_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = args.database_url.rpartition("/")
    url = f"{base}/{name}"
    client = redis.from_url(args.redis_url)
    stream = f"{name}:events"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        await migrate(url)
        messages = await fill_stream(client, stream, grades, args.per_message)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "STATS_DATABASE_URL": url,
            "STATS_REDIS_URL": args.redis_url,
            "STATS_QUEUE_NAME": stream,
            "STATS_CONSUMER_GROUP": f"{name}-group",
            "STATS_LOG_LEVEL": "WARNING",
            "STATS_AUTO_MIGRATE": "false",
        }
        command = [sys.executable, "-m", "entrypoints.cli", "worker"]
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: ASYNC220 - a benchmark, at start-up
            for _ in range(workers)
        ]
        database = await asyncpg.connect(url)
        try:
            first = await _poll(database, lambda n: n > 0, args.timeout)
            done = await _poll(database, lambda n: n >= len(grades), args.timeout)
        finally:
            await database.close()
        counted = done[1] - first[1]
        seconds = done[0] - first[0]
        return {
            "workers": workers,
            "messages": messages,
            "events": len(grades),
            "seconds": seconds,
            "events/s": counted / seconds if seconds else float("nan"),
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        await client.delete(stream, f"{stream}:dead-letters")
        await client.aclose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _poll(database: asyncpg.Connection, reached, timeout: float) -> tuple[float, int]:
    deadline = time.monotonic() + timeout
    while True:
        count = await database.fetchval("SELECT count(*) FROM task_grade_events")
        now = time.monotonic()
        if reached(count):
            return now, count
        if now > deadline:
            raise TimeoutError(f"only {count} events recorded after {timeout} s")
        await asyncio.sleep(0.05)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--per-message", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a server URL whose database the benchmark may create databases from",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    grades = task_grades(args.events)
    rows = [await measure(args, workers, grades) for workers in args.workers]
    print(f"{'workers':>7} {'messages':>9} {'events':>8} {'seconds':>8} {'events/s':>9}"
          f" {'per worker':>10}")
    for r in rows:
        print(
            f"{r['workers']:>7} {r['messages']:>9} {r['events']:>8} {r['seconds']:>8.2f}"
            f" {r['events/s']:>9.0f} {r['events/s'] / r['workers']:>10.0f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
