from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from dependency_injector import providers
from http_api import Api

from adapters.memory import ManualClock
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def container(clock: ManualClock) -> Container:
    container = build_container(Settings(database={"storage": "memory"}))
    container.adapters.clock.override(providers.Object(clock))
    return container


@pytest.fixture
async def api(
    aiohttp_client: Callable[[Any], Awaitable[Any]], container: Container, clock: ManualClock
) -> Api:
    client = await aiohttp_client(create_app(container))
    return Api(client, container, clock)
