"""The aiohttp application factory."""

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from entrypoints.container import Container, open_resources
from entrypoints.http.problems import problem_middleware
from entrypoints.http.routes import USE_CASES, routes
from entrypoints.worker.broker import attach

CONTAINER = web.AppKey("container", Container)
Background = Callable[[Container], Callable[[web.Application], AsyncIterator[None]]]


def create_app(container: Container, *background: Background) -> web.Application:
    """The API over `container`. `background` adds startup/shutdown pairs that run after the
    adapters are up (the in-process worker of `classconnect-stats run`, for one)."""
    settings = container.settings()
    app = web.Application(
        middlewares=[problem_middleware], client_max_size=settings.max_body_bytes
    )
    app[CONTAINER] = container
    app[USE_CASES] = container.use_cases
    app.add_routes(routes)
    app.cleanup_ctx.append(_adapters)
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
