"""Readiness: can this process reach what it needs right now? Each check is bounded by
`STATS_READY_TIMEOUT`; only the dependencies this process has are checked (none in memory mode,
no Redis with the in-process queue)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from pydantic import ConfigDict, Field

from entrypoints.http.dependencies import database_pool, queue_inspector
from entrypoints.http.keys import SETTINGS
from entrypoints.http.problems import Problem


@dataclass(frozen=True, slots=True)
class Check:
    status: Literal["ok", "failing"]
    duration_ms: float
    error: str | None


@dataclass(frozen=True, slots=True)
class Readiness:
    status: Literal["ready"]
    checks: dict[str, Check]


class NotReady(Problem):
    """503 from /stats/ready: `detail` and `checks` say which dependency is failing."""

    # Not "allow" as Problem: that would leak into Check's schema (a second, laxer Check).
    model_config = ConfigDict(extra="ignore")

    checks: dict[str, Check] = Field(description="Every check made, by dependency")


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
