"""Write limits (rate per client, queue backlog) and CORS."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as redis
from http_api import PROBLEM_JSON, Api
from test_ops_http import scrape, value

from adapters.memory import ManualClock
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

GRADE = {"student_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "course_id": "c1", "grade": 5}
Client = Callable[[Any], Awaitable[Any]]


async def api_with(aiohttp_client: Client, clock: ManualClock, **groups: Any) -> Api:
    container = build_container(Settings(database={"storage": "memory"}, **groups))
    return Api(await aiohttp_client(create_app(container)), container, clock)


async def test_writes_over_the_rate_get_429_with_retry_after(
    aiohttp_client: Client, clock: ManualClock
) -> None:
    api = await api_with(aiohttp_client, clock, limits={"write_rate_limit": 1, "write_burst": 3})
    statuses = [(await api.post("/stats/student/grade", GRADE)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    reply = await api.post("/stats/student/grade", GRADE)
    assert reply.content_type == PROBLEM_JSON and int(reply.headers["Retry-After"]) >= 1
    batch = {"events": [{"kind": "course_grade", **GRADE}] * 5}
    assert (await api.post("/stats/grades/batch", batch)).status == 429  # costs 5 events
    assert api.recorded() == 3
    metrics = await scrape(api)
    assert value(metrics, "events_rejected_total", reason="throttled") == 1 + 1 + 5
    assert (await api.get("/stats/course/c1/average")).status == 200  # reads are not limited


async def test_no_rate_limit_when_set_to_zero(aiohttp_client: Client, clock: ManualClock) -> None:
    api = await api_with(aiohttp_client, clock, limits={"write_rate_limit": 0, "write_burst": 1})
    assert {(await api.post("/stats/student/grade", GRADE)).status for _ in range(5)} == {200}


@pytest.fixture
async def full_stream(redis_url: str, redis_namespace: str) -> AsyncIterator[str]:
    client = redis.from_url(redis_url)
    stream = f"{redis_namespace}:events"
    for _ in range(6):
        await client.xadd(stream, {"data": b"{}"})
    await client.xgroup_create(stream, "workers", id="0")
    yield stream
    await client.aclose()


@pytest.mark.integration
async def test_writes_get_503_when_the_queue_backlog_is_over_the_limit(
    aiohttp_client: Client, clock: ManualClock, redis_url: str, full_stream: str
) -> None:
    queue = {"redis_url": redis_url, "stream": full_stream}
    api = await api_with(aiohttp_client, clock, queue=queue, limits={"max_queue_backlog": 5})
    reply = await api.post("/stats/student/grade", GRADE)
    assert reply.status == 503 and reply.headers["Retry-After"] == "5"
    assert "queue is full" in reply.body["detail"]
    assert api.recorded() == 0
    roomy = await api_with(aiohttp_client, clock, queue=queue, limits={"max_queue_backlog": 7})
    assert (await roomy.post("/stats/student/grade", GRADE)).status == 200


async def test_cors_only_for_allowed_origins(aiohttp_client: Client, clock: ManualClock) -> None:
    front = "https://app.classconnect.example"
    api = await api_with(aiohttp_client, clock, http={"cors_origins": [front]})
    preflight = await api.send(
        "OPTIONS",
        "/stats/student/grade",
        headers={"Origin": front, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == front
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Vary"] == "Origin" and preflight.headers["X-Request-ID"]
    allowed = await api.send("GET", "/stats/health", headers={"Origin": front})
    assert allowed.headers["Access-Control-Allow-Origin"] == front
    assert allowed.headers["Vary"] == "Origin"
    for error in ("/stats/nowhere", "/stats/course/no spaces/average"):
        problem = await api.send("GET", error, headers={"Origin": front})
        assert problem.content_type == PROBLEM_JSON
        assert problem.headers["Access-Control-Allow-Origin"] == front
        assert "X-Request-ID" in problem.headers["Access-Control-Expose-Headers"]
    other = await api.send("GET", "/stats/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    foreign_preflight = await api.send(
        "OPTIONS",
        "/stats/student/grade",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert foreign_preflight.status == 405


async def test_streamed_answers_carry_the_request_id_and_cors_headers(
    aiohttp_client: Client, clock: ManualClock
) -> None:
    front = "https://app.classconnect.example"
    api = await api_with(aiohttp_client, clock, http={"cors_origins": [front]})
    await api.post("/stats/grades/batch", {"events": [{
        "kind": "task_grade", "student_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "course_id": "algebra", "task_id": "hw1", "grade": 8, "on_time": True,
        "graded_at": "2026-01-10T10:00:00Z",
    }]})
    headers = {"Origin": front, "X-Request-ID": "r-csv"}
    export = await api.send("GET", "/stats/course/algebra/export.csv", headers=headers)
    assert export.status == 200 and export.content_type == "text/csv"
    assert export.headers["X-Request-ID"] == "r-csv"
    assert export.headers["Access-Control-Allow-Origin"] == front
    assert "X-Request-ID" in export.headers["Access-Control-Expose-Headers"]
    headers = {"Origin": front, "X-Request-ID": "r-live"}
    async with api.client.get("/stats/course/algebra/changes", headers=headers) as stream:
        assert stream.status == 200 and stream.content_type == "text/event-stream"
        assert stream.headers["X-Request-ID"] == "r-live"
        assert stream.headers["Access-Control-Allow-Origin"] == front
        assert stream.headers["Vary"] == "Origin"
    foreign = await api.send(
        "GET", "/stats/course/algebra/export.csv", headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 200 and "Access-Control-Allow-Origin" not in foreign.headers
