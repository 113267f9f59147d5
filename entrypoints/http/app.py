"""The aiohttp application factory."""

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from entrypoints.container import Container, open_resources
from entrypoints.http import docs, write_guard
from entrypoints.http.access import VERIFIER, token_verifier
from entrypoints.http.cors import cors_middleware
from entrypoints.http.dependencies import open_probe_redis
from entrypoints.http.endpoints import add_endpoints
from entrypoints.http.keys import CONTAINER, METRICS, OPENAPI, SETTINGS, USE_CASES, WITH_WORKER
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.observability import echo_request_id, flush_access_log, observe
from entrypoints.http.problems import problem_middleware
from entrypoints.http.routes import all_endpoints, openapi_bytes
from entrypoints.worker.broker import attach

__all__ = ["CONTAINER", "create_app"]

Background = Callable[[Container], Callable[[web.Application], AsyncIterator[None]]]


def create_app(container: Container, *background: Background) -> web.Application:
    """The API over `container`. `background` adds startup/shutdown pairs that run after the
    adapters are up (the in-process worker of `classconnect-stats run`, for one)."""
    settings = container.settings()
    app = web.Application(
        middlewares=[observe, cors_middleware(settings.cors_origins), problem_middleware],
        # each route reads within its own limit (bodies.py); this is the largest of them
        client_max_size=max(settings.max_body_bytes, settings.max_batch_body_bytes),
    )
    verifier = token_verifier(settings)  # raises UnsafeConfiguration rather than run open
    if verifier is not None:
        app[VERIFIER] = verifier
    app[CONTAINER] = container
    app[SETTINGS] = settings
    app[USE_CASES] = container.use_cases
    app[METRICS] = HttpMetrics()
    app[OPENAPI] = openapi_bytes()
    app[WITH_WORKER] = bool(background)
    write_guard.setup(app)
    add_endpoints(app, all_endpoints())
    docs.add_assets(app)
    app.on_response_prepare.append(echo_request_id)
    app.cleanup_ctx.append(flush_access_log)
    app.cleanup_ctx.append(_adapters)
    app.cleanup_ctx.append(open_probe_redis)
    app.cleanup_ctx.extend(start(container) for start in background)
    return app


async def _adapters(app: web.Application) -> AsyncIterator[None]:
    """Open pools and start the broker before the first request (so the consumer group exists
    before anything is published); close them after the last."""
    container = app[CONTAINER]
    async with open_resources(container):
        broker = container.adapters.broker()
        if broker is None:  # events are recorded in-process
            yield
            return
        attach(broker, container.use_cases.record_grades())
        await broker.startup()
        try:
            yield
        finally:
            await broker.shutdown()
