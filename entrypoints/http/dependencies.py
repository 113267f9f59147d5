"""The service's outside dependencies as the HTTP layer's probes see them."""

from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

from adapters.postgres import ConnectionPool
from entrypoints.http.keys import CONTAINER, PROBE_REDIS, SETTINGS


def database_pool(app: web.Application) -> ConnectionPool | None:
    """The PostgreSQL pool, or None when statistics are kept in memory."""
    if app[SETTINGS].database_url is None:
        return None
    pool: ConnectionPool = app[CONTAINER].adapters.pool()
    return pool


def probe_redis(app: web.Application) -> Redis | None:
    """A Redis client for probes, or None when events are recorded in-process."""
    return app.get(PROBE_REDIS)


async def open_probe_redis(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: a Redis client of its own for probes, with short timeouts, so a probe never
    waits behind (or disturbs) the broker's connections."""
    settings = app[SETTINGS]
    if not settings.queue_url:
        yield
        return
    timeout = settings.ready_timeout
    redis = Redis.from_url(
        settings.queue_url, socket_timeout=timeout, socket_connect_timeout=timeout,
        max_connections=4,
    )
    app[PROBE_REDIS] = redis
    try:
        yield
    finally:
        await redis.aclose()
