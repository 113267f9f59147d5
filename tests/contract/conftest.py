"""The adapter sets the contract suite runs against: the in-memory one and the PostgreSQL one."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import pytest
from adapter_sets import AdapterSet, memory_adapters, postgres_adapters

from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.memory.analytics_reader import InMemoryAnalyticsReader
from adapters.postgres import ConnectionPool, migrate, postgres_pool
from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from application.ports import AnalyticsReader

# The independent oracles live with the unit tests; the contract suite checks both adapters
# against them too.
sys.path.append(str(Path(__file__).parent.parent / "unit"))


@pytest.fixture
async def migrated_pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    """A pool on a migrated, empty database of the test's own."""
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, max_size=4, command_timeout=10) as pool:
        yield pool


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def adapters(request: pytest.FixtureRequest) -> AdapterSet:
    if request.param == "memory":
        return memory_adapters()
    # Only the postgres case asks for a database, so the memory case runs without one.
    return postgres_adapters(request.getfixturevalue("migrated_pool"))


class AnalyticsSet(NamedTuple):
    """An adapter set with the analytics reader over the same store."""

    adapters: AdapterSet
    reader: AnalyticsReader


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def analytics(request: pytest.FixtureRequest) -> AnalyticsSet:
    if request.param == "memory":
        database = InMemoryDatabase()
        return AnalyticsSet(
            AdapterSet(lambda: InMemoryUnitOfWork(database), InMemoryStatsReader(database)),
            InMemoryAnalyticsReader(database),
        )
    pool = request.getfixturevalue("migrated_pool")
    return AnalyticsSet(postgres_adapters(pool), PostgresAnalyticsReader(pool))
