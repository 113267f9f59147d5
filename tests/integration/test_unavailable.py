"""A database or queue that cannot be reached is reported as the port's error (StoreUnavailable,
QueueUnavailable), raised from the driver's own, so that nothing above the adapters needs to know
asyncpg's or redis-py's exception classes; a statement or command failing on its own merits keeps
its error."""

import asyncpg
import pytest
import redis.asyncio as redis
from redis.exceptions import ResponseError
from worker_redis_support import fast_container, grade_events, queue_settings

from adapters.postgres import PostgresUnitOfWork, migrate, postgres_pool
from adapters.queue.redis import RedisDeadLetters, RedisQueueInspector
from adapters.queue.taskiq_publisher import TaskiqEventQueue
from application.ports.errors import QueueUnavailable, StoreUnavailable
from entrypoints.container import open_resources

pytestmark = pytest.mark.integration

NOWHERE_POSTGRES = "postgresql://nobody@127.0.0.1:1/nowhere"  # nothing listens on port 1
NOWHERE_REDIS = "redis://127.0.0.1:1/0"


async def test_a_pool_that_cannot_connect_reports_the_store_unavailable() -> None:
    async with postgres_pool(NOWHERE_POSTGRES, min_size=0, command_timeout=2) as pool:
        with pytest.raises(StoreUnavailable) as raised:
            await pool.fetchval("SELECT 1")
        assert isinstance(raised.value.__cause__, OSError)
        with pytest.raises(StoreUnavailable):
            async with PostgresUnitOfWork(pool):
                pass


async def test_a_connection_lost_inside_a_unit_of_work_reports_the_store_unavailable(
    fresh_database_url: str,
) -> None:
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, min_size=1, max_size=2) as pool:
        with pytest.raises(StoreUnavailable):
            async with PostgresUnitOfWork(pool) as uow:
                await uow.grades.record(grade_events(1))
                # the server ends the session, as when it shuts down (SQLSTATE 57P01)
                await uow.connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        assert await pool.fetchval("SELECT 1") == 1  # the pool went on with a new connection


async def test_a_failing_statement_keeps_its_own_error(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await pool.fetchval("SELECT 1 / 0")
        with pytest.raises(asyncpg.UndefinedTableError):
            async with PostgresUnitOfWork(pool) as uow:
                await uow.connection.execute("SELECT * FROM no_such_table")


async def test_an_unreachable_redis_reports_the_queue_unavailable() -> None:
    client = redis.from_url(NOWHERE_REDIS, socket_connect_timeout=1)
    try:
        inspector = RedisQueueInspector(client, "stream")
        for look in (inspector.ping, inspector.stats, inspector.backlog):
            with pytest.raises(QueueUnavailable):
                await look()
        letters = RedisDeadLetters(client, "stream")
        with pytest.raises(QueueUnavailable):
            await letters.list()
        with pytest.raises(QueueUnavailable):
            await letters.replay()
    finally:
        await client.aclose()


async def test_publishing_to_an_unreachable_redis_reports_the_queue_unavailable(
    redis_namespace: str,
) -> None:
    broker = fast_container(queue_settings(NOWHERE_REDIS, redis_namespace)).adapters.broker()
    with pytest.raises(QueueUnavailable):
        await broker.startup()
    with pytest.raises(QueueUnavailable):
        await TaskiqEventQueue(broker, timeout=5).publish(grade_events(1))
    await broker.shutdown()


async def test_a_failing_command_keeps_its_own_error(
    redis_url: str, redis_namespace: str
) -> None:
    container = fast_container(queue_settings(redis_url, redis_namespace))
    async with open_resources(container, start_broker=False):
        letters = container.adapters.dead_letters()
        client = redis.from_url(redis_url)
        try:
            await client.set(letters.stream, "not a stream")
            with pytest.raises(ResponseError):
                await letters.list()
        finally:
            await client.aclose()
