"""The adapter sets the contract suite runs against: the in-memory one and the PostgreSQL one."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from adapter_sets import AdapterSet, memory_adapters, postgres_adapters

from adapters.postgres import migrate, postgres_pool


@pytest.fixture
async def migrated_pool(fresh_database_url: str) -> AsyncIterator[asyncpg.Pool]:
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
