"""The aiohttp application factory."""

from collections.abc import AsyncIterator

from aiohttp import web

from entrypoints.container import Container
from entrypoints.http.problems import problem_middleware
from entrypoints.http.routes import USE_CASES, routes
from entrypoints.worker.broker import attach

CONTAINER = web.AppKey("container", Container)


def create_app(container: Container) -> web.Application:
    settings = container.settings()
    app = web.Application(
        middlewares=[problem_middleware], client_max_size=settings.max_body_bytes
    )
    app[CONTAINER] = container
    app[USE_CASES] = container.use_cases
    app.add_routes(routes)
    app.cleanup_ctx.append(_broker)
    return app


async def _broker(app: web.Application) -> AsyncIterator[None]:
    """Start the broker before the first request so nothing published can be missed."""
    container = app[CONTAINER]
    broker = container.adapters.broker()
    attach(broker, container.use_cases.record_grades())
    await broker.startup()
    yield
    await broker.shutdown()
