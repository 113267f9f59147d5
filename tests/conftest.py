"""Shared fixtures. Integration and e2e tests get their own fresh Postgres database and Redis
key-space for the run, and remove them afterwards, on the servers tests/servers.py finds or
starts (the line "servers: ..." after "collected N items" says which)."""

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import hypothesis
import pytest
import redis.asyncio as redis

from tests.servers import SuiteServers

SERVERS = pytest.StashKey[SuiteServers]()

# Property tests check what is computed, not how fast: on a machine shared with other work a single
# example can take longer than Hypothesis's default 200 ms deadline, which would fail a correct run.
hypothesis.settings.register_profile("stats", deadline=None)
hypothesis.settings.load_profile("stats")


def pytest_configure(config: pytest.Config) -> None:
    try:
        config.stash[SERVERS] = SuiteServers(os.environ)
    except ValueError as e:
        raise pytest.UsageError(str(e)) from e


def pytest_unconfigure(config: pytest.Config) -> None:
    if SERVERS in config.stash:
        config.stash[SERVERS].close()


def _needs(item: pytest.Item, fixture: str) -> bool:
    """Whether the test uses the server of `fixture` (integration and e2e tests may ask for it
    only while they run)."""
    return fixture in getattr(item, "fixturenames", ()) or any(
        item.get_closest_marker(marker) for marker in ("integration", "e2e")
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Find or start the servers the selected tests need before the first test, so that the
    report names them."""
    if session.config.option.collectonly:
        return
    servers = session.config.stash[SERVERS]
    for fixture, url in (("postgres_server_url", servers.postgres_url),
                         ("redis_url", servers.redis_url)):
        if any(_needs(item, fixture) for item in session.items):
            try:
                url()
            except RuntimeError:
                pass  # each test that needs the server reports why it is missing


def pytest_report_collectionfinish(config: pytest.Config) -> str:
    return config.stash[SERVERS].describe()


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextlib.contextmanager
def _reachable(
    server: str, url: str, variable: str, errors: tuple[type[Exception], ...]
) -> Iterator[None]:
    """Fails the test with where the server was looked for, and how to point at another."""
    try:
        yield
    except errors as e:
        pytest.fail(f"{server} is not reachable at {url}: {e} (see {variable} in DEVELOPERS.md)")


@pytest.fixture(scope="session")
def postgres_server_url(pytestconfig: pytest.Config) -> str:
    return pytestconfig.stash[SERVERS].postgres_url()


@pytest.fixture
async def fresh_database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    name = f"ccstats_test_{uuid.uuid4().hex[:12]}"
    errors = (OSError, asyncpg.PostgresError)
    with _reachable("PostgreSQL", postgres_server_url, "STATS_TEST_POSTGRES_URL", errors):
        admin = await asyncpg.connect(postgres_server_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _with_database(postgres_server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def redis_url(pytestconfig: pytest.Config) -> str:
    return pytestconfig.stash[SERVERS].redis_url()


@pytest.fixture
async def redis_namespace(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of its own for one test; every key under it is deleted afterwards."""
    prefix = f"ccstats-test-{uuid.uuid4().hex[:12]}"
    client = redis.from_url(redis_url)
    with _reachable("Redis", redis_url, "STATS_TEST_REDIS_URL", (OSError, redis.ConnectionError)):
        await client.ping()
    try:
        yield prefix
    finally:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(autouse=True)
def _no_stats_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests build their own settings: the developer's STATS_* environment must not leak in."""
    for key in list(os.environ):
        if key.startswith("STATS_") and not key.startswith("STATS_TEST_"):
            monkeypatch.delenv(key)
    for key in ("SERVICE_STATS_POSTGRES_URL", "ASYNC_QUEUE_HOST", "ASYNC_QUEUE_PORT"):
        monkeypatch.delenv(key, raising=False)
    yield
