"""The aiohttp application factory: the API over a container that wires everything it uses."""

import asyncio
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from entrypoints.container import Container, open_resources
from entrypoints.http import docs, ui
from entrypoints.http.access import VERIFIER, token_verifier
from entrypoints.http.answer_cache import AnswerCache
from entrypoints.http.cors import Cors
from entrypoints.http.dependencies import queue_inspector
from entrypoints.http.endpoints import add_endpoints
from entrypoints.http.keys import (
    ANSWER_CACHE,
    CLOCK,
    CONTAINER,
    CORS,
    LIVE_STOPPING,
    METRICS,
    OPENAPI,
    SETTINGS,
    USE_CASES,
    WITH_WORKER,
    WRITE_GUARD,
)
from entrypoints.http.late_dependencies import queue_set_up
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.middleware import request_middleware
from entrypoints.http.observability import flush_access_log
from entrypoints.http.routes import all_endpoints, live, openapi_bytes
from entrypoints.queue_durability import check_queue_durability

__all__ = ["CONTAINER", "create_app"]

Background = Callable[[Container], Callable[[web.Application], AsyncIterator[None]]]


def create_app(
    container: Container, *background: Background, with_worker: bool = False
) -> web.Application:
    """The API over `container`. `background` adds startup/shutdown pairs that run after the
    adapters are up (the in-process worker of `classconnect-stats run`, for one, with
    `with_worker`)."""
    settings = container.settings()
    metrics, cors = HttpMetrics(), Cors(settings.http.cors_origins)
    app = web.Application(
        middlewares=[request_middleware(cors, metrics)],
        # each route reads within its own limit (bodies.py); this is the largest of them
        client_max_size=max(settings.limits.max_body_bytes, settings.limits.max_batch_body_bytes),
    )
    verifier = token_verifier(settings)  # raises UnsafeConfiguration rather than run open
    if verifier is not None:
        app[VERIFIER] = verifier
    app[CONTAINER] = container
    app[SETTINGS] = settings
    app[USE_CASES] = container.use_cases
    app[CLOCK] = clock = container.adapters.clock()
    app[METRICS] = metrics
    app[CORS] = cors
    app[ANSWER_CACHE] = cache = AnswerCache(
        container.adapters.changes(),
        max_bytes=settings.http.answer_cache_bytes,
        freshness=settings.http.answer_freshness,
        # the clock an answer's "now" comes from, so that such an answer expires by it
        clock=lambda: clock.now().timestamp(),
    )
    metrics.watch_answer_cache(cache.counts)
    app[OPENAPI] = openapi_bytes()
    app[WITH_WORKER] = with_worker
    app[LIVE_STOPPING] = asyncio.Event()
    app.on_shutdown.append(live.end_streams)
    add_endpoints(app, all_endpoints())
    docs.add_assets(app)
    ui.add_static(app)
    app.cleanup_ctx.append(flush_access_log)
    app.cleanup_ctx.append(_adapters)
    app.cleanup_ctx.append(_answers_kept)
    app.cleanup_ctx.extend(start(container) for start in background)
    return app


async def _adapters(app: web.Application) -> AsyncIterator[None]:
    """The container's resources and broker, up before the first request and closed after the
    last. The API starts while Redis is down (see late_dependencies)."""
    container = app[CONTAINER]
    async with open_resources(container, start_broker=False):
        guard = app[WRITE_GUARD] = container.write_guard()
        broker = container.adapters.broker()
        if broker is None:
            yield
            return
        settings = container.settings()
        durable = lambda: check_queue_durability(queue_inspector(app), settings)
        async with queue_set_up(broker, guard, settings.queue.url or "", then=durable):
            yield


async def _answers_kept(app: web.Application) -> AsyncIterator[None]:
    """The change feed's connection, and the answers kept while it is heard."""
    async with app[CONTAINER].adapters.changes().running(), app[ANSWER_CACHE].running():
        yield
