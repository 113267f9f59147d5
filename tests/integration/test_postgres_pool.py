"""The pool as the composition root owns it, and the unit of work's hold on a connection."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest
from dependency_injector import containers, providers

from adapters.postgres import PostgresUnitOfWork, migrate, postgres_pool
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
