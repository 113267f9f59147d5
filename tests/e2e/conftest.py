import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bench.processes import Process, free_port, service
from tests.e2e.harness import wait_healthy


@dataclass
class Stack:
    """Environment for one test's processes: its own database and Redis stream."""

    database_url: str
    redis_url: str
    namespace: str
    log_dir: Path
    services: list[Process]

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "STATS_DATABASE_URL": self.database_url,
            "STATS_REDIS_URL": self.redis_url,
            "STATS_QUEUE_NAME": f"{self.namespace}:events",
            "STATS_CONSUMER_GROUP": f"{self.namespace}-workers",
            "STATS_LOG_LEVEL": "INFO",
        }
        env.update(overrides)
        return env

    def service(self, name: str, *args: str, **env: str) -> Process:
        process = service(name, list(args), self.env(**env), self.log_dir)
        self.services.append(process)
        return process

    async def api(
        self, session: aiohttp.ClientSession, command: str = "serve", **env: str
    ) -> str:
        """Starts the API (`serve`, or `run` with its own worker) and returns its base URL once
        it is healthy; the process is the last of `services`."""
        port = free_port()
        self.service(f"api-{port}", command, "--port", str(port), **env)
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(session, base)
        return base

    def worker(self, name: str = "worker", **env: str) -> Process:
        return self.service(name, "worker", **env)

    def logs(self) -> str:
        return "\n".join(f"===== {s.name}\n{s.tail(4000)}" for s in self.services)


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 0


@pytest.fixture
async def stack(
    fresh_database_url: str, redis_url: str, redis_namespace: str, tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Stack]:
    s = Stack(fresh_database_url, redis_url, redis_namespace, tmp_path, [])
    try:
        yield s
    finally:
        await asyncio.to_thread(lambda: [service.stop() for service in s.services])
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(s.logs())


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


GradePoster = Callable[..., object]
