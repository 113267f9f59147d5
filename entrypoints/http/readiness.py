"""Readiness: can this process reach what it needs right now? Each check is bounded by
`STATS_READY_TIMEOUT`; only the dependencies this process has are checked (none in memory mode,
no Redis with the in-process queue).

With a Redis queue it also says whether the queue survives a restart of Redis
(`queue_durability`) and names a recent queue reset (`queue_reset`, kept for
`STATS_QUEUE_RESET_REPORT_TIME` after a worker saw it): both are reports, not failures, since
taking the API out of service would not bring lost grades back."""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from pydantic import ConfigDict, Field

from application.ports.queue import QueueDurability, QueueReset
from entrypoints.http.dependencies import database_pool, queue_inspector
from entrypoints.http.keys import SETTINGS
from entrypoints.http.problems import Problem


@dataclass(frozen=True, slots=True)
class Check:
    status: Literal["ok", "failing"]
    duration_ms: float
    error: str | None


@dataclass(frozen=True, slots=True)
class QueueReport:
    durability: QueueDurability | None  # None without a Redis queue
    reset: QueueReset | None


@dataclass(frozen=True, slots=True)
class Readiness:
    status: Literal["ready"]
    checks: dict[str, Check]
    queue_durability: QueueDurability | None  # null without a Redis queue
    queue_reset: QueueReset | None  # the last reset, while it is reported


class NotReady(Problem):
    """503 from /stats/ready: `detail` and `checks` say which dependency is failing."""

    # Not "allow" as Problem: that would leak into Check's schema (a second, laxer Check).
    model_config = ConfigDict(extra="ignore")

    checks: dict[str, Check] = Field(description="Every check made, by dependency")
    queue_durability: QueueDurability | None = Field(
        description="aof, rdb, none or unknown; null without a Redis queue"
    )
    queue_reset: QueueReset | None = Field(
        description="The last queue reset a worker saw, while it is reported"
    )


async def check_dependencies(app: web.Application) -> dict[str, Check]:
    probes: dict[str, Callable[[], Awaitable[object]]] = {}
    pool = database_pool(app)
    if pool is not None:
        probes["postgres"] = lambda: pool.fetchval("SELECT 1")
    queue = queue_inspector(app)
    if queue is not None:
        probes["redis"] = queue.ping
    timeout = app[SETTINGS].http.ready_timeout
    results = await asyncio.gather(*(_check(probe, timeout) for probe in probes.values()))
    return dict(zip(probes, results, strict=True))


async def queue_report(app: web.Application) -> QueueReport:
    """The queue's durability and its last reset, each `unknown`/None when it cannot be read
    within STATS_READY_TIMEOUT (the redis check says why)."""
    queue = queue_inspector(app)
    if queue is None:
        return QueueReport(None, None)
    timeout = app[SETTINGS].http.ready_timeout
    durability: QueueDurability = "unknown"
    reset: QueueReset | None = None
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout):
            durability = await queue.durability()
            reset = await queue.last_reset()
    return QueueReport(durability, reset)


async def _check(probe: Callable[[], Awaitable[object]], timeout: float) -> Check:
    start = time.perf_counter()
    error: str | None = None
    try:
        async with asyncio.timeout(timeout):
            await probe()
    except TimeoutError:
        error = f"no answer within {timeout:g} s"
    except Exception as e:  # noqa: BLE001 - any failure is the answer, reported as such
        error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    duration_ms = round((time.perf_counter() - start) * 1000, 1)
    return Check("ok" if error is None else "failing", duration_ms, error)
