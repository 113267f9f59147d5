"""Worker throughput: events per second from a pre-filled Redis stream to committed rows.

    .venv/bin/python -m bench.workers [--events 100000] [--per-message 1] [--workers 1 2]

For each worker count: a fresh database (`classconnect-stats migrate`), a fresh stream holding
`--events` task grades in messages of `--per-message` events (1: as single POSTs arrive without
coalescing), queued by `classconnect-stats import --batch-size <per-message>`, then that many
`classconnect-stats worker` processes. The clock runs from the first committed grade to the last
(process start-up is not counted). Prints a table; cleans up after itself.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import redis.asyncio as redis

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "entrypoints.cli"]


def task_grades(count: int, seed: int = 7) -> list[dict[str, object]]:
    """Grades (as import rows) over 2,000 courses x 20 tasks and 100,000 students, some of them
    regrades, graded over the 90 days before the last week."""
    rng = random.Random(seed)
    students = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(100_000)]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=97)
    return [
        {
            "kind": "task_grade",
            "event_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "student_id": str(rng.choice(students)),
            "course_id": f"course-{rng.randrange(2000)}",
            "task_id": f"task-{rng.randrange(20)}",
            "grade": rng.randrange(1001) / 100,
            "on_time": rng.random() < 0.85,
            "graded_at": (start + timedelta(seconds=rng.randrange(90 * 86400))).isoformat(),
        }
        for _ in range(count)
    ]


async def run_command(env: dict[str, str], *args: str) -> None:
    """A `classconnect-stats` command, to its end; raises when it fails."""
    process = await asyncio.create_subprocess_exec(
        *CLI, *args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    if await process.wait():
        raise RuntimeError(f"classconnect-stats {args[0]} exited with {process.returncode}")


async def fill_stream(env: dict[str, str], grades: list[dict[str, object]], per: int) -> int:
    """Queue the grades through `classconnect-stats import`, `per` events to a message; the
    number of messages."""
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as directory:
        rows = Path(directory) / "grades.jsonl"
        rows.write_text("".join(json.dumps(grade) + "\n" for grade in grades))
        # One message per batch: no coalescing of batches queued one after the other.
        fill = {**env, "STATS_QUEUE_COALESCE_WINDOW": "0"}
        await run_command(fill, "import", str(rows), "--batch-size", str(per), "--no-progress")
    return -(-len(grades) // per)


async def measure(args: argparse.Namespace, workers: int, grades: list[dict[str, object]]) -> dict:
    name = f"bench_workers_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = args.database_url.rpartition("/")
    url = f"{base}/{name}"
    client = redis.from_url(args.redis_url)
    stream = f"{name}:events"
    processes: list[subprocess.Popen[bytes]] = []
    try:
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
        await run_command(env, "migrate")
        messages = await fill_stream(env, grades, args.per_message)
        command = [*CLI, "worker"]
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
