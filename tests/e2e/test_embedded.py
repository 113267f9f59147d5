"""`classconnect-stats run` with nothing configured: embedded PostgreSQL and Redis, the API and a
worker process; `run --in-process`: embedded PostgreSQL, in-process queue."""

import signal
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest

from bench.processes import free_port, service
from tests.e2e.harness import eventually, wait_healthy

pytestmark = pytest.mark.e2e


async def test_the_embedded_run_keeps_grades_across_restarts(tmp_path: Path) -> None:
    env = {"STATS_DATA_DIR": str(tmp_path / "postgres")}
    student = str(uuid.uuid4())
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        for attempt, grade in enumerate((6, 9)):
            port = free_port()
            base = f"http://127.0.0.1:{port}/stats"
            run = service(f"run-{attempt}", ["run", "--in-process", "--port", str(port)], env,
                          tmp_path)
            try:
                await wait_healthy(http, f"http://127.0.0.1:{port}", timeout=60)
                body = {"student_id": student, "course_id": "history", "grade": grade}
                async with http.post(f"{base}/student/grade", json=body) as r:
                    assert r.status == 200, await r.text()
                # recorded before the 200: visible at once, and still there after a restart
                async with http.get(f"{base}/student/{student}/average") as r:
                    answer = await r.json()
            finally:
                run.stop()
            assert answer["grade_count"] == attempt + 1, run.log()
        assert answer["average_grade"] == 7.5
        assert "embedded PostgreSQL" in run.log()


async def _average(http: aiohttp.ClientSession, base: str, student: str) -> Any:
    async with http.get(f"{base}/student/{student}/average") as r:
        return await r.json()


async def test_the_default_run_is_the_whole_system_and_survives_being_killed(
    tmp_path: Path,
) -> None:
    env = {"STATS_DATA_DIR": str(tmp_path / "var" / "postgres"),
           "STATS_REDIS_DATA_DIR": str(tmp_path / "var" / "redis")}
    student = str(uuid.uuid4())
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        for attempt, grade in enumerate((6, 9)):
            port = free_port()
            base = f"http://127.0.0.1:{port}/stats"
            run = service(f"run-{attempt}", ["run", "--port", str(port)], env, tmp_path)
            try:
                await wait_healthy(http, f"http://127.0.0.1:{port}", timeout=60)
                body = {"student_id": student, "course_id": "history", "grade": grade}
                async with http.post(f"{base}/student/grade", json=body) as r:
                    assert r.status == 200, await r.text()
                # recorded by the worker process, from the embedded Redis' queue
                count = attempt + 1
                answer = await eventually(lambda: _average(http, base, student),  # noqa: B023
                                          lambda a: a["grade_count"] == count,  # noqa: B023
                                          timeout=60)
                async with http.get(f"{base}/admin/queue") as r:
                    queue = await r.json()
                # one worker; after the kill, the killed worker's consumer may still be listed
                # (until it has been idle for CONSUMER_EXPIRY) if Redis had written it to its
                # append-only file, which it does once a second
                [group] = queue["groups"]
                assert group["consumers"] in ((1,) if attempt == 0 else (1, 2)), queue
                children = psutil.Process(run.pid).children()
                names = sorted(" ".join(c.cmdline()[-2:]) for c in children)
                assert any(name.endswith("entrypoints.cli worker") for name in names), names
                assert any("valkey-server" in c.cmdline()[0] for c in children), names
                if attempt == 0:  # killed: nothing of it may stay behind, or stop the next run
                    run.signal(signal.SIGKILL)
                    run.wait(10)
                    _, alive = psutil.wait_procs(children, timeout=15)
                    assert not alive, [c.cmdline() for c in alive]
            finally:
                run.stop()
        assert answer["average_grade"] == 7.5
        assert run.wait(1) == 0, run.log()
        _, alive = psutil.wait_procs(children, timeout=1)
        assert not alive, [c.cmdline() for c in alive]
        log = run.log()
        assert "embedded Redis (Valkey)" in log and "append-only file on" in log
        assert "worker process" in log and "stopped" in log
