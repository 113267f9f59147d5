"""The service's outside dependencies as the HTTP layer's probes see them, from the container."""

from aiohttp import web

from adapters.postgres import ConnectionPool
from application.ports.queue import DeadLetters, QueueInspector, QueueSwitch
from entrypoints.http.keys import CONTAINER


def database_pool(app: web.Application) -> ConnectionPool | None:
    """The PostgreSQL pool, or None when statistics are kept in memory."""
    pool: ConnectionPool | None = app[CONTAINER].adapters.pool()
    return pool


def queue_inspector(app: web.Application) -> QueueInspector | None:
    """The queue as probes see it, or None when events are recorded in-process."""
    inspector: QueueInspector | None = app[CONTAINER].adapters.queue_inspector()
    return inspector


def dead_letters(app: web.Application) -> DeadLetters | None:
    """The queue's dead letters, or None when events are recorded in-process."""
    letters: DeadLetters | None = app[CONTAINER].adapters.dead_letters()
    return letters


def queue_switch(app: web.Application) -> QueueSwitch | None:
    """Pausing the workers, or None when events are recorded in-process."""
    switch: QueueSwitch | None = app[CONTAINER].adapters.queue_switch()
    return switch
