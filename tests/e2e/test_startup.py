"""Start-up failures are one clear line: a port in use ends the process before anything starts.
A dependency that is down does not stop the API: one line says so, and the service works once it
answers, without a restart."""

import asyncio
import os
import socket
import subprocess
import uuid

import aiohttp
import pytest

from bench.processes import CLI, ROOT, free_port
from tests.e2e.conftest import Stack, host_port
from tests.e2e.harness import eventually, proxy
from tests.e2e.test_processes import course_grade_count

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_port_in_use_is_one_line_and_a_failure(command: str, tmp_path: object) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "STATS_PORT": str(port),
            "STATS_STORAGE": "memory",
            "STATS_REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: the port is checked first
        }
        done = subprocess.run(
            [*CLI, command],
            check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert output.strip().splitlines()[-1] == f"port {port} is in use on 127.0.0.1"
    assert "Traceback" not in output
    assert "listening" not in output


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if '"level": "WARNING"' in line]


async def _batch(http: aiohttp.ClientSession, base: str, course: str) -> int:
    event = {"kind": "course_grade", "student_id": str(uuid.uuid4()), "course_id": course,
             "grade": 5}
    async with http.post(f"{base}/stats/grades/batch", json={"events": [event]}) as r:
        return r.status


async def _status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as r:
        return r.status


@pytest.mark.integration
@pytest.mark.parametrize("command", ["serve", "run"])
async def test_the_api_starts_while_postgres_is_down_and_migrates_when_it_answers(
    command: str, stack: Stack, http: aiohttp.ClientSession
) -> None:
    host, port = host_port(stack.database_url)
    async with proxy(host, port) as pg:
        await pg.cut()  # nothing answers on the proxy's port
        url = stack.database_url.replace(f":{port}/", f":{pg.port}/")
        base = await stack.api(http, command, STATS_DATABASE_URL=url, STATS_READY_TIMEOUT="0.5")
        api = stack.services[-1]
        [warning] = [line for line in _warnings(api.log()) if "PostgreSQL" in line]
        assert "is unreachable" in warning and "migrations will be applied when it answers" in warning
        assert "Traceback" not in api.log()
        ready = f"{base}/stats/ready"
        assert await _status(http, ready) == 503
        assert await _status(http, f"{base}/stats/course/m/average") == 503

        await pg.restore()
        await eventually(lambda: _status(http, ready), lambda s: s == 200)
        # the fresh database got its tables without a restart: reads answer. With `run`, the
        # worker process (restarted while PostgreSQL was down) may apply them before the API's
        # retry does; either says so in the one log.
        await eventually(lambda: asyncio.to_thread(api.log),
                         lambda log: "migrations applied: 0001" in log)
        assert await _status(http, f"{base}/stats/course/m/average") in (200, 404)
    api.stop()
    assert "Traceback" not in api.log()


@pytest.mark.integration
async def test_without_auto_migrate_a_postgres_that_is_down_is_still_named_at_start(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there
    await stack.api(http, STATS_DATABASE_URL=url, STATS_AUTO_MIGRATE="false")
    api = stack.services[-1]
    [warning] = [line for line in _warnings(api.log()) if "PostgreSQL" in line]
    assert f"PostgreSQL at {url} is unreachable" in warning
    assert warning.endswith('reads answer 503 until it answers"}'), warning


@pytest.mark.integration
@pytest.mark.parametrize("command", ["serve", "run"])
async def test_the_api_starts_while_redis_is_down_and_accepts_writes_when_it_answers(
    command: str, stack: Stack, http: aiohttp.ClientSession
) -> None:
    host, port = host_port(stack.redis_url)
    async with proxy(host, port) as rd:
        await rd.cut()
        url = stack.redis_url.replace(f":{port}", f":{rd.port}")
        base = await stack.api(http, command, STATS_REDIS_URL=url, STATS_READY_TIMEOUT="0.5")
        api = stack.services[-1]
        log = await eventually(lambda: asyncio.to_thread(api.log), lambda t: "Redis at" in t)
        [warning] = [line for line in _warnings(log) if "Redis at" in line]
        assert "is unreachable" in warning and "writes answer 503" in warning
        assert api.running()
        assert await _batch(http, base, "m") == 503
        assert await _status(http, f"{base}/stats/ready") == 503

        await rd.restore()
        await eventually(lambda: _batch(http, base, "m"), lambda s: s == 202)
        assert await _status(http, f"{base}/stats/ready") == 200
        if command == "serve":
            # the consumer group was declared before that write: a worker started now records it
            stack.worker(STATS_REDIS_URL=url)
        await eventually(lambda: course_grade_count(http, base, "m"), lambda n: n == 1)


@pytest.mark.parametrize("command", ["worker", "migrate"])
def test_a_command_that_needs_postgres_down_is_one_line_and_a_failure(command: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there
    env = {**os.environ, "STATS_DATABASE_URL": url, "STATS_REDIS_URL": "redis://127.0.0.1:1/0"}
    done = subprocess.run(
        [*CLI, command], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert output.strip().splitlines()[-1].startswith(f"cannot reach PostgreSQL at {url}: ")
    assert "Traceback" not in output
