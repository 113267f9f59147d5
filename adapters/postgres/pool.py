"""The connection pool. `new_pool` builds it without connecting; `opened` connects it and closes
it on exit, so a composition root can hand the pool to its users synchronously and let a
`providers.Resource` own its lifetime."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


def new_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    command_timeout: float | None = 30.0,
) -> asyncpg.Pool:
    """An asyncpg pool for `url`, not connected yet (see `opened`)."""
    return asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        timeout=command_timeout or 60.0,  # connecting, too, gives up instead of hanging
        reset=_leave_as_is,
        server_settings={"application_name": "classconnect-stats"},
    )


async def _leave_as_is(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset on release (`RESET ALL`, `UNLISTEN *`, ... : one more round trip
    per query). This code leaves no session state behind: every transaction is closed by its
    unit of work, nothing LISTENs or SETs, and the migration lock is released explicitly.
    A transaction left open by an interrupted caller is still rolled back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@asynccontextmanager
async def opened(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """Connect the pool's first `min_size` connections; close it (waiting for connections in
    use) on exit."""
    await pool
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def postgres_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    command_timeout: float | None = 30.0,
) -> AsyncIterator[asyncpg.Pool]:
    """A connected pool for `url`, closed on exit."""
    pool = new_pool(url, min_size=min_size, max_size=max_size, command_timeout=command_timeout)
    async with opened(pool):
        yield pool
