"""The API starts while PostgreSQL or Redis is down: it says so in one WARNING line naming what
is down, and sets up what it could not in the background, as soon as the dependency answers, so
that the service works without a restart.

- PostgreSQL: reads answer 503 until it answers; the migrations (`STATS_AUTO_MIGRATE`) are
  applied as soon as it does.
- Redis: the queue's consumer group is declared when it answers (so that no event is published
  to a stream no worker would read from its start); writes answer 503 until then.

`/stats/ready` names the dependency that does not answer meanwhile.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from aiohttp import web

from adapters.postgres import migrate, postgres_pool
from adapters.queue.redis import ReliableRedisStreamBroker
from application.ports.errors import QueueUnavailable, StoreUnavailable, Unavailable
from entrypoints.container import Container
from entrypoints.http.background import in_background
from entrypoints.limits import WriteGuard
from entrypoints.settings import redact

log = logging.getLogger("classconnect_stats")
RETRY_SECONDS = 1.0
T = TypeVar("T")


async def until_reachable(attempt: Callable[[], Awaitable[T]]) -> T:
    """`attempt()`'s result, trying again every RETRY_SECONDS while it raises Unavailable."""
    while True:
        try:
            return await attempt()
        except Unavailable:
            await asyncio.sleep(RETRY_SECONDS)


async def postgres_at_start(url: str, *, apply_migrations: bool) -> bool:
    """Apply the migrations now (or, without `apply_migrations`, check that PostgreSQL answers);
    False, after one WARNING line, when PostgreSQL is unreachable (for
    `migrations_when_reachable` to apply them later)."""
    try:
        if not apply_migrations:
            async with postgres_pool(url, min_size=0, max_size=1) as pool:
                await pool.fetchval("SELECT 1")
            return True
        applied = await migrate(url)
    except StoreUnavailable as e:
        until = ("migrations will be applied when it answers; reads answer 503 until then"
                 if apply_migrations else "reads answer 503 until it answers")
        log.warning("PostgreSQL at %s is unreachable (%s): %s", redact(url), e.__cause__ or e, until)
        return False
    if applied:
        log.info("migrations applied: %s", ", ".join(applied))
    return True


def migrations_when_reachable(
    container: Container, done: asyncio.Event | None = None,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """For `create_app(container, migrations_when_reachable)`: apply the migrations in the
    background once PostgreSQL answers; then set `done`, if given (also when they failed)."""
    url = container.settings().database.url
    assert url is not None

    async def apply() -> None:
        try:
            applied = await until_reachable(lambda: migrate(url))
        except Exception:  # said at once, not when the service stops
            log.exception("PostgreSQL at %s answers, but a migration failed: run "
                          "`classconnect-stats migrate` to see why", redact(url))
            return
        finally:
            if done is not None:
                done.set()
        log.info("PostgreSQL at %s answers: migrations applied: %s", redact(url),
                 ", ".join(applied) or "none were missing")

    async def migrating(app: web.Application) -> AsyncIterator[None]:
        async with in_background(apply(), "migrations-when-reachable"):
            yield

    return migrating


@asynccontextmanager
async def queue_set_up(
    broker: ReliableRedisStreamBroker,
    guard: WriteGuard,
    url: str,
    then: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[None]:
    """Start `broker` (declare its consumer group), then run `then`, and stop it on the way
    out. While Redis is unreachable, `guard` refuses writes and the start is tried again in the
    background."""

    async def start_when_reachable() -> None:
        await until_reachable(broker.startup)
        guard.queue_ready = True
        log.info("Redis at %s answers: writes are accepted", redact(url))
        if then is not None:
            await then()

    try:
        await broker.startup()
        if then is not None:
            await then()
        retrying = None
    except QueueUnavailable as e:
        log.warning(
            "Redis at %s is unreachable (%s): writes answer 503 until it answers", redact(url), e
        )
        guard.queue_ready = False
        retrying = start_when_reachable()
    try:
        if retrying is None:
            yield
        else:
            async with in_background(retrying, "queue-set-up-when-reachable"):
                yield
    finally:
        await broker.shutdown()
