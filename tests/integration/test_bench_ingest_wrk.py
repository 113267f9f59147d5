"""The benchmark's wrk ingest script counts exactly the grades the server accepted, student by
student, so that "nothing lost" can be checked against what the reads show."""

import asyncio
import json
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench import ingest_wrk
from bench.http_load import wrk_path

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(wrk_path() is None, reason="wrk is not installed"),
]

COURSES = ["course-a", "course-b", "course-c"]
TASKS = ["t1", "t2", "t3", "t4"]


async def test_wrk_counts_what_the_server_accepted(tmp_path: Path) -> None:
    received: list[dict[str, object]] = []
    refused = 0

    async def grade(request: web.Request) -> web.Response:
        nonlocal refused
        body = await request.json()
        if len(received) % 7 == 3 and refused < 5:  # some are refused: not accepted
            refused += 1
            return web.json_response({"status": 503}, status=503)
        received.append({**body, "path": request.path})
        return web.Response(
            body=json.dumps({"status": 200, "result": "queued", "event_id": body["event_id"]}),
            status=200, content_type="application/json",
        )

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/stats/student/grade", grade)
    app.router.add_post("/stats/student/task/grade", grade)
    app.router.add_get(ingest_wrk.PROBE_PATH, health)
    wrk = wrk_path()
    assert wrk is not None
    async with TestServer(app, host="127.0.0.1") as server:
        tag = uuid.uuid4().hex[:8]
        out = tmp_path / "result.txt"
        script = tmp_path / "ingest.lua"
        script.write_text(ingest_wrk.lua_script(
            tag=tag, courses=COURSES, tasks=TASKS, stop_at=time.monotonic() + 1.0,
            graded_day="2026-01-02", out=out,
        ))
        command = ingest_wrk.command(
            wrk, str(server.make_url("/")).rstrip("/"), script,
            threads=2, connections=4, duration=1.0,
        )
        process = await asyncio.create_subprocess_exec(*command)
        assert await process.wait() == 0
    result = ingest_wrk.parse_result(out)

    assert result.posts_sent == result.posts_answered == len(received) + refused
    assert result.statuses == ({"503": refused} if refused else {})
    accepted: Counter[tuple[str, str, bool]] = Counter(
        (str(b["student_id"]), str(b["course_id"]), b["path"] == "/stats/student/grade")
        for b in received
    )
    counted: Counter[tuple[str, str, bool]] = Counter()
    for s in result.students:
        student = ingest_wrk.student_id(tag, s.thread, s.index)
        course = ingest_wrk.course_of(COURSES, s.thread, s.index)
        counted[(student, course, False)] += s.task_grades
        counted[(student, course, True)] += s.course_grades
    assert +counted == accepted
    assert len({b["event_id"] for b in received}) == len(received)  # every event its own id
    assert all(uuid.UUID(str(b["student_id"])) for b in received)
