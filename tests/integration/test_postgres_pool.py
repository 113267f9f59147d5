"""The pool as the composition root owns it, and the unit of work's hold on a connection."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest
from dependency_injector import containers, providers

from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, new_pool, postgres_pool
from domain.events import CourseGraded

pytestmark = pytest.mark.integration


class Resources(containers.DeclarativeContainer):
    url = providers.Dependency(instance_of=str)
    pool = providers.Resource(postgres_pool, url, min_size=1, max_size=2, command_timeout=5)


def test_nothing_connects_until_the_pool_is_entered() -> None:
    postgres_pool("postgresql://nobody@127.0.0.1:1/nowhere")  # would fail if it connected


async def test_a_resource_provider_opens_and_closes_the_pool(fresh_database_url: str) -> None:
    container = Resources(url=fresh_database_url)
    await container.init_resources()
    pool = await container.pool()
    assert await pool.fetchval("SELECT 1") == 1
    await container.shutdown_resources()
    assert pool.is_closing()


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1, command_timeout=5) as pool:
        yield pool


def a_course_grade(grade: int) -> CourseGraded:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    return CourseGraded(uuid.uuid4(), uuid.uuid4(), "math", Decimal(grade), True, now, now)


async def test_the_connection_goes_back_to_the_pool_after_an_error(pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with PostgresUnitOfWork(pool) as uow:
            await uow.grades.record([a_course_grade(11)])  # beyond 10: the schema refuses it
    # The only connection is back, usable and out of the failed transaction.
    async with PostgresUnitOfWork(pool) as uow:
        assert not await uow.connection.fetchval("SELECT count(*) FROM course_grades")
        assert await uow.grades.record([a_course_grade(7)]) == 1
        await uow.commit()
    assert await pool.fetchval("SELECT count(*) FROM course_grades") == 1


async def test_a_unit_of_work_holds_one_transaction(pool: asyncpg.Pool) -> None:
    async with PostgresUnitOfWork(pool) as uow:
        first = await uow.connection.fetchval("SELECT pg_current_xact_id()::text")
        await uow.grades.record([a_course_grade(7)])
        assert await uow.connection.fetchval("SELECT pg_current_xact_id()::text") == first
        assert uow.connection.is_in_transaction()
    assert pool.get_idle_size() == 1


async def order_of_turns(pool: ConnectionPool) -> list[str]:
    """Three tasks wait for the only connection; as its holder gives it back, a fourth asks for
    it. Returns who got it, in order."""
    order: list[str] = []
    held = await pool.acquire()

    async def wait_turn(name: str) -> None:
        async with pool.acquire():
            order.append(name)

    waiting = [asyncio.create_task(wait_turn(name)) for name in ("a", "b", "c")]
    await asyncio.sleep(0.05)  # all three wait
    await pool.release(held)
    waiting.append(asyncio.create_task(wait_turn("late")))
    await asyncio.gather(*waiting)
    return order


async def test_connections_go_to_the_tasks_in_the_order_they_asked(fresh_database_url: str) -> None:
    """asyncpg's own pool let the late one pass the tasks it woke (see ConnectionPool)."""
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        assert await order_of_turns(pool) == ["a", "b", "c", "late"]
        assert await pool.fetchval("SELECT 1") == 1
        assert (pool.get_size(), pool.get_idle_size()) == (1, 1)  # one connection all along


async def test_a_task_that_gives_up_waiting_leaves_the_line(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        held = await pool.acquire()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(pool.acquire(), 0.05)
        await pool.release(held)
        assert pool.get_idle_size() == 1  # not handed to the task that left
        assert await pool.fetchval("SELECT 1") == 1


async def test_a_connection_handed_to_a_cancelled_task_goes_to_the_next(
    fresh_database_url: str,
) -> None:
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        held = await pool.acquire()
        first = asyncio.create_task(pool.fetchval("SELECT 'first'"))
        second = asyncio.create_task(pool.fetchval("SELECT 'second'"))
        await asyncio.sleep(0.05)  # both wait
        await pool.release(held)  # handed to `first`, which has not run yet
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert await asyncio.wait_for(second, 5) == "second"
        assert pool.get_size() == 1


async def test_a_query_cut_short_does_not_come_back(fresh_database_url: str) -> None:
    """A cancelled query may still run on the server: its connection is closed, and the next
    task gets a fresh one."""
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        before = await pool.fetchval("SELECT pg_backend_pid()")
        sleeping = asyncio.create_task(pool.fetchval("SELECT pg_sleep(30)"))
        await asyncio.sleep(0.2)
        sleeping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sleeping
        after = await asyncio.wait_for(pool.fetchval("SELECT pg_backend_pid()"), 5)
        assert after != before and pool.get_size() == 1


async def test_a_connection_the_server_closed_is_replaced(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        victim = await pool.fetchval("SELECT pg_backend_pid()")
        other = await asyncpg.connect(fresh_database_url)
        try:
            await other.execute("SELECT pg_terminate_backend($1)", victim)
        finally:
            await other.close()
        # may fail, with whatever asyncpg makes of a session the server ended while it was idle
        # (a FATAL error, a closed socket, a protocol in a state it cannot use): it is found
        # dead by using it, and not handed out again
        with contextlib.suppress(Exception):
            await pool.fetchval("SELECT 1")
        assert await pool.fetchval("SELECT pg_backend_pid()") != victim
        assert pool.get_size() == 1


async def test_a_closing_pool_turns_waiting_tasks_away(fresh_database_url: str) -> None:
    pool = new_pool(fresh_database_url, min_size=1, max_size=1)
    await pool
    held = await pool.acquire()
    waiting = asyncio.create_task(pool.fetchval("SELECT 1"))
    await asyncio.sleep(0.05)
    await pool.close()
    with pytest.raises(asyncpg.InterfaceError):
        await waiting
    await pool.release(held)
    assert pool.is_closing() and pool.get_size() == 0


async def test_a_refused_statement_keeps_its_connection(fresh_database_url: str) -> None:
    async with postgres_pool(fresh_database_url, min_size=1, max_size=1) as pool:
        before = await pool.fetchval("SELECT pg_backend_pid()")
        with pytest.raises(asyncpg.DivisionByZeroError):
            await pool.fetchval("SELECT 1 / 0")
        assert await pool.fetchval("SELECT pg_backend_pid()") == before
