"""The migration runner: each version applied once, however many processes start together."""

import asyncio
import sys

import asyncpg
import pytest

from adapters.postgres import migrate, postgres_pool
from adapters.postgres.migrate import MIGRATION_LOCK_KEY, available_migrations
from application.ports.errors import StoreUnavailable

pytestmark = pytest.mark.integration

VERSIONS = [m.version for m in available_migrations()]


def test_the_migrations_ship_with_the_package() -> None:
    assert VERSIONS[0] == "0001"
    assert VERSIONS == sorted(set(VERSIONS))
    assert all(m.sql.strip() for m in available_migrations())


async def applied(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        await connection.close()
    return [r["version"] for r in rows]


async def test_migrate_applies_each_version_once(fresh_database_url: str) -> None:
    assert await migrate(fresh_database_url) == VERSIONS
    assert await migrate(fresh_database_url) == []
    assert await applied(fresh_database_url) == VERSIONS


async def test_migrate_through_a_pool(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, max_size=2, command_timeout=10) as pool:
        assert await migrate(pool) == VERSIONS
        assert await migrate(pool) == []
        assert await pool.fetchval("SELECT count(*) FROM current_task_grades") == 0
        # The advisory lock went with the migration, not with the pooled connection. (Only this
        # database's locks: tests elsewhere on the server migrate their own databases meanwhile.)
        assert await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ) == 0


async def test_concurrent_migrations_apply_each_version_once(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, max_size=4, command_timeout=10) as pool:
        results = await asyncio.gather(
            *(migrate(fresh_database_url) for _ in range(6)), *(migrate(pool) for _ in range(4))
        )
    assert sorted(results) == [[]] * 9 + [VERSIONS]
    assert await applied(fresh_database_url) == VERSIONS


async def test_migrations_in_several_processes_apply_each_version_once(
    fresh_database_url: str,
) -> None:
    script = (
        "import asyncio, sys\n"
        "from adapters.postgres import migrate\n"
        "print(','.join(asyncio.run(migrate(sys.argv[1]))))\n"
    )
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            fresh_database_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    assert [p.returncode for p in processes] == [0] * 4, [err.decode() for _, err in outputs]
    printed = sorted(out.decode().strip() for out, _ in outputs)
    assert printed == [""] * 3 + [",".join(VERSIONS)]
    assert await applied(fresh_database_url) == VERSIONS


async def waiting_backend(
    observer: asyncpg.Connection, condition: str, migrating: asyncio.Task[list[str]]
) -> int | None:
    """The pid of this database's backend seen waiting (`condition` on pg_stat_activity), polled
    until it is seen or `migrating` ends. (`observer` must be outside a transaction, which would
    see the activity as it was when it began.)"""
    for _ in range(500):
        pid = await observer.fetchval(
            f"SELECT pid FROM pg_stat_activity WHERE {condition} AND datname = current_database()"
        )
        if pid is not None or migrating.done():
            return pid  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)
    return None


async def test_migrate_waits_for_the_lock(fresh_database_url: str) -> None:
    holder = await asyncpg.connect(fresh_database_url)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        migrating = asyncio.create_task(migrate(fresh_database_url))
        assert await waiting_backend(holder, "wait_event = 'advisory'", migrating) is not None
        assert not migrating.done()
        assert await holder.fetchval("SELECT to_regclass('course_grades') IS NULL")
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        assert await migrating == VERSIONS
    finally:
        await holder.close()


async def test_a_connection_lost_midway_reports_the_store_unavailable(
    fresh_database_url: str,
) -> None:
    """A migration whose connection is lost (PostgreSQL restarting) raises StoreUnavailable, so
    that an API applying its migrations in the background tries again."""
    holder = await asyncpg.connect(fresh_database_url)
    observer = await asyncpg.connect(fresh_database_url)
    try:
        blocking = holder.transaction()
        await blocking.start()
        # the first migration's CREATE TABLE waits for this transaction to end
        await holder.execute("CREATE TABLE course_grades (x int)")
        migrating = asyncio.create_task(migrate(fresh_database_url))
        waiting = await waiting_backend(observer, "wait_event_type = 'Lock'", migrating)
        assert waiting is not None
        await observer.execute("SELECT pg_terminate_backend($1)", waiting)
        with pytest.raises(StoreUnavailable):
            await migrating
        await blocking.rollback()
    finally:
        await holder.close()
        await observer.close()
    assert await migrate(fresh_database_url) == VERSIONS
