"""The benchmark reads the answer cache's counters from the API's own metrics text."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bench.cache_counts import cache_counts, counts_in, served
from bench.report import _kept
from entrypoints.http.answer_cache import CacheCounts
from entrypoints.http.metrics import HttpMetrics


def test_the_counts_are_read_from_the_metrics_the_api_serves() -> None:
    metrics = HttpMetrics()
    metrics.watch_answer_cache(CacheCounts(hits=7, stale_hits=2, misses=3, bypasses=1))
    assert counts_in(metrics.exposition().decode()) == {
        "hit": 7.0, "stale": 2.0, "miss": 3.0, "bypass": 1.0,
    }


def test_a_server_without_the_cache_metric_gives_none() -> None:
    assert counts_in("# HELP up Up\n# TYPE up gauge\nup 1\n") is None


def test_served_is_what_was_counted_between_two_readings() -> None:
    before = {"hit": 10.0, "stale": 0.0, "miss": 5.0, "bypass": 0.0}
    after = {"hit": 85.0, "stale": 5.0, "miss": 15.0, "bypass": 0.0}
    counted = served(before, after)
    assert counted == {"hit": 75, "stale": 5, "miss": 10, "bypass": 0, "kept_percent": 89}
    assert _kept(counted) == "89% of 90"
    assert served(None, after) is None
    assert _kept(None) == ""


async def test_the_counts_of_every_process_are_added_up(
    aiohttp_server: Callable[[web.Application], Awaitable[Any]],
) -> None:
    async def serve(counts: CacheCounts) -> str:
        metrics = HttpMetrics()
        metrics.watch_answer_cache(counts)
        async def exposition(_: web.Request) -> web.Response:
            return web.Response(body=metrics.exposition())

        app = web.Application()
        app.router.add_get("/metrics", exposition)
        server = await aiohttp_server(app)
        return str(server.make_url("")).rstrip("/")

    urls = [await serve(CacheCounts(hits=5, misses=1)), await serve(CacheCounts(hits=2, stale_hits=1))]
    assert await cache_counts(urls) == {"hit": 7.0, "stale": 1.0, "miss": 1.0, "bypass": 0.0}
    async def missing(_: web.Request) -> web.Response:
        return web.Response(status=404)

    bare = web.Application()
    bare.router.add_get("/metrics", missing)
    assert await cache_counts([*urls, str((await aiohttp_server(bare)).make_url("")).rstrip("/")]) is None
