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
        server_settings={"application_name": "classconnect-stats"},
    )


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
