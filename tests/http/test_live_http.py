"""The live stream of a course's changes: `ready` on connecting, `change` after each recorded
grade of the course (none for another course's), the end after STATS_LIVE_STREAM_SECONDS or
when the service stops."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientResponse
from http_api import Api

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.routes.live import end_streams
from entrypoints.settings import Settings

STUDENT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


async def next_event(stream: ClientResponse) -> tuple[str, dict[str, Any]] | None:
    """The next event (name, data), skipping comments; None at the end of the stream."""
    name, data = None, None
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 10)).decode()
        if not line:
            return None
        line = line.rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
        elif not line and name:
            return name, data or {}


async def test_a_grade_of_the_course_is_announced_and_another_courses_is_not(api: Api) -> None:
    async with api.client.get("/stats/course/algebra-1/changes") as stream:
        assert stream.status == 200
        assert stream.content_type == "text/event-stream"
        assert await next_event(stream) == (
            "ready", {"course_id": "algebra-1", "listening": True}
        )
        await api.task_grade(student_id=STUDENT, course_id="physics-1", task_id="lab-1", grade=7)
        await api.task_grade(student_id=STUDENT, course_id="algebra-1", task_id="hw-1", grade=8)
        assert await next_event(stream) == (
            "change", {"course_id": "algebra-1", "reset": False, "listening": True}
        )


async def test_a_malformed_course_id_is_refused(api: Api) -> None:
    reply = await api.get("/stats/course/no spaces/changes")
    assert reply.status == 400


async def test_a_stream_ends_after_its_lifetime_and_when_the_service_stops(
    aiohttp_client: Callable[[Any], Awaitable[Any]],
) -> None:
    app = create_app(build_container(Settings(
        database={"storage": "memory"}, http={"live_stream_seconds": 0.3}
    )))
    client = await aiohttp_client(app)
    async with client.get("/stats/course/algebra-1/changes") as stream:
        assert (await next_event(stream) or ("",))[0] == "ready"
        assert await next_event(stream) is None  # ended by itself

    app = create_app(build_container(Settings(database={"storage": "memory"})))
    client = await aiohttp_client(app)
    async with client.get("/stats/course/algebra-1/changes") as stream:
        assert (await next_event(stream) or ("",))[0] == "ready"
        await end_streams(app)
        assert await next_event(stream) is None
