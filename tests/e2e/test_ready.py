"""Readiness against real processes: 503 naming PostgreSQL or Redis while it is unreachable,
200 again once it is back; liveness answers throughout."""

import uuid

import aiohttp
import pytest

from tests.e2e.conftest import Stack, host_port
from tests.e2e.harness import eventually, proxy

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def ready(http: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, object]]:
    async with http.get(f"{base}/stats/ready") as r:
        return r.status, await r.json(content_type=None)


def failing(answer: tuple[int, dict[str, object]]) -> set[str]:
    _, body = answer
    checks = body.get("checks", {})
    assert isinstance(checks, dict)
    return {name for name, check in checks.items() if check["status"] != "ok"}


async def test_ready_follows_postgres_and_redis(stack: Stack, http: aiohttp.ClientSession) -> None:
    pg_host, pg_port = host_port(stack.database_url)
    redis_host, redis_port = host_port(stack.redis_url)
    async with proxy(pg_host, pg_port) as pg, proxy(redis_host, redis_port) as rd:
        base = await stack.api(
            http,
            STATS_DATABASE_URL=stack.database_url.replace(f":{pg_port}/", f":{pg.port}/"),
            STATS_REDIS_URL=stack.redis_url.replace(f":{redis_port}", f":{rd.port}"),
            STATS_READY_TIMEOUT="0.5",
        )
        status, body = await ready(http, base)
        assert (status, body["status"]) == (200, "ready"), body
        assert set(body["checks"]) == {"postgres", "redis"}  # type: ignore[arg-type]

        for name, cut_proxy in (("postgres", pg), ("redis", rd)):
            await cut_proxy.cut()
            status, problem = await eventually(lambda: ready(http, base), lambda r: r[0] == 503)
            assert problem["status"] == 503 and name in str(problem["detail"]), problem
            assert failing((status, problem)) == {name}, problem
            async with http.get(f"{base}/stats/health") as r:
                assert r.status == 200  # liveness does not depend on anything
            await cut_proxy.restore()
            await eventually(lambda: ready(http, base), lambda r: r[0] == 200)


async def test_a_worker_counts_what_it_processes(stack: Stack, http: aiohttp.ClientSession) -> None:
    """Not readiness, but the same kind of probe: the worker's own /metrics moves with traffic."""
    from prometheus_client.parser import text_string_to_metric_families

    from bench.processes import free_port
    from tests.e2e.test_processes import post

    base = await stack.api(http)
    port = free_port()
    stack.worker(STATS_WORKER_METRICS_PORT=str(port))

    async def processed() -> float:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as r:
            text = await r.text()
        return sum(
            s.value for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == "classconnect_stats_events_processed_total"
            and s.labels == {"kind": "course_grade"}
        )

    assert await eventually(processed, lambda n: True) == 0
    for grade in (4, 5, 6):
        status, _ = await post(http, base, "student/grade",
                               {"student_id": str(uuid.uuid4()), "course_id": "m", "grade": grade})
        assert status == 200
    await eventually(processed, lambda n: n == 3)
