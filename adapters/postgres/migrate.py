"""A forward-only migration runner: the numbered SQL files in `migrations/`, each applied once.

Several processes may start at once: a session advisory lock lets one apply what is missing
while the others wait, then find nothing left to do.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files

import asyncpg

from adapters.postgres.failures import is_transient, reported_as_unavailable, unavailable
from adapters.postgres.pool import ConnectionPool

# Any constant works, as long as nothing else takes this key: it is "ccstats" in ASCII.
MIGRATION_LOCK_KEY = 0x63_63_73_74_61_74_73
_FILE_NAME = re.compile(r"(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """The migrations shipped with this package, in version order."""
    found: dict[str, Migration] = {}
    for entry in files("adapters.postgres").joinpath("migrations").iterdir():
        match = _FILE_NAME.fullmatch(entry.name)
        if match is None:
            continue
        version = match["version"]
        if version in found:
            raise RuntimeError(f"two migrations share version {version}")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


async def migrate(url_or_pool: str | ConnectionPool) -> list[str]:
    """Apply every migration not yet applied; returns the versions this call applied. Raises
    StoreUnavailable when PostgreSQL cannot be reached."""
    with reported_as_unavailable(), _loss_inside_a_transaction_reported():
        if isinstance(url_or_pool, str):
            connection = await asyncpg.connect(url_or_pool)
            try:
                return await _migrate(connection)
            finally:
                await connection.close()
        async with url_or_pool.acquire() as pooled:
            return await _migrate(pooled)


@contextmanager
def _loss_inside_a_transaction_reported() -> Iterator[None]:
    """A connection lost inside `connection.transaction()` comes out as the block's own error
    (InterfaceError: the connection is closed), with the loss only as its context: report the
    loss."""
    try:
        yield
    except asyncpg.InterfaceError as e:
        lost = e.__context__
        if lost is not None and is_transient(lost):
            raise unavailable(lost) from lost
        raise


async def _migrate(connection: asyncpg.Connection) -> list[str]:
    await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text        PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        applied = {
            row["version"]
            for row in await connection.fetch("SELECT version FROM schema_migrations")
        }
        done: list[str] = []
        for migration in available_migrations():
            if migration.version in applied:
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)  # static SQL: a file of the package
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            done.append(migration.version)
        return done
    finally:
        if not connection.is_closed():  # (a cancelled statement closes it, and the lock with it)
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
