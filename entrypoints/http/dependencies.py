"""The service's outside dependencies as the HTTP layer's probes see them, from the container."""

from aiohttp import web

from adapters.postgres import ConnectionPool
from application.ports.queue import QueueInspector
from entrypoints.http.keys import CONTAINER


def database_pool(app: web.Application) -> ConnectionPool | None:
    """The PostgreSQL pool, or None when statistics are kept in memory."""
    pool: ConnectionPool | None = app[CONTAINER].adapters.pool()
    return pool


def queue_inspector(app: web.Application) -> QueueInspector | None:
    """The queue as probes see it, or None when events are recorded in-process."""
    inspector: QueueInspector | None = app[CONTAINER].adapters.queue_inspector()
    return inspector
