"""`classconnect-stats run` with nothing configured: embedded PostgreSQL, in-process queue."""

import uuid
from pathlib import Path

import aiohttp
import pytest

from bench.processes import free_port, service
from tests.e2e.harness import wait_healthy

pytestmark = pytest.mark.e2e


async def test_the_embedded_run_keeps_grades_across_restarts(tmp_path: Path) -> None:
    env = {"STATS_DATA_DIR": str(tmp_path / "postgres")}
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
                # recorded before the 200: visible at once, and still there after a restart
                async with http.get(f"{base}/student/{student}/average") as r:
                    answer = await r.json()
            finally:
                run.stop()
            assert answer["grade_count"] == attempt + 1, run.log()
        assert answer["average_grade"] == 7.5
        assert "embedded PostgreSQL" in run.log()
