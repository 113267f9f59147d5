"""Operating the service over HTTP, in memory: readiness, metrics, request ids, access log."""

import io
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from dependency_injector import providers
from http_api import Api
from prometheus_client.parser import text_string_to_metric_families

from adapters.memory import ManualClock
from entrypoints import logging_setup
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import ACCESS_LOG, AccessLog
from entrypoints.settings import Settings

ANA = "00000000-0000-4000-8000-00000000000a"
PREFIX = "classconnect_stats_"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((PREFIX + name, frozenset(labels.items())), 0.0)


async def scrape(api: Api) -> str:
    reply = await api.get("/metrics")
    assert reply.status == 200, reply.body
    assert reply.content_type == "text/plain"
    assert isinstance(reply.body, str)
    return reply.body


async def test_health_and_ready_in_memory_mode(api: Api) -> None:
    assert (await api.get("/stats/health")).body == {"status": "OK"}
    reply = await api.get("/stats/ready")
    assert (reply.status, reply.body) == (
        200, {"status": "ready", "checks": {}, "queue_durability": None, "queue_reset": None}
    )


async def test_the_queue_report_needs_a_queue(api: Api) -> None:
    reply = await api.get("/stats/admin/queue")
    assert reply.status == 404
    assert "no Redis queue" in reply.body["detail"]


async def test_metrics_name_every_series(api: Api) -> None:
    await api.get("/stats/health")
    text = await scrape(api)
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        PREFIX + "http_requests",
        PREFIX + "http_request_duration_seconds",
        PREFIX + "events_accepted",
    } <= names
    # no Redis and no PostgreSQL in memory mode: no gauge for them, not even a failing one
    assert not {n for n in names if n.startswith((PREFIX + "queue_", PREFIX + "db_pool_"))}


async def test_request_metrics_move_by_route_template_and_status(api: Api) -> None:
    route = "/stats/student/{student_id}/average"
    before = await scrape(api)
    for _ in range(3):
        assert (await api.get(f"/stats/student/{ANA}/average")).status == 200
    assert (await api.get("/stats/student/not-a-uuid/average")).status == 400
    assert (await api.get("/stats/nowhere")).status == 404
    after = await scrape(api)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("http_requests_total", method="GET", route=route, status="200") == 3
    assert moved("http_requests_total", method="GET", route=route, status="400") == 1
    assert moved("http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert moved("http_request_duration_seconds_count", method="GET", route=route,
                 status="200") == 3
    assert moved("http_request_duration_seconds_bucket", method="GET", route=route,
                 status="200", le="+Inf") == 3
    assert ANA not in after, "raw paths must never become labels"


async def test_accepted_events_are_counted_by_kind(api: Api) -> None:
    before = await scrape(api)
    await api.grade(student_id=ANA, course_id="c1", grade=7)
    await api.task_grade(student_id=ANA, course_id="c1", task_id="t1", grade=7)
    await api.task_grade(student_id=ANA, course_id="c1", task_id="t2", grade=8)
    rejected = await api.post("/stats/student/grade", {"student_id": ANA, "grade": 11})
    assert rejected.status == 400
    after = await scrape(api)
    for kind, n in (("course_grade", 1), ("task_grade", 2)):
        assert value(after, "events_accepted_total", kind=kind) - value(
            before, "events_accepted_total", kind=kind
        ) == n


@pytest.fixture
async def guarded_api(
    aiohttp_client: Callable[[Any], Awaitable[Any]], clock: ManualClock
) -> Api:
    container = build_container(
        Settings(database={"storage": "memory"}, http={"metrics_token": "s3cret"})
    )
    container.adapters.clock.override(providers.Object(clock))
    return Api(await aiohttp_client(create_app(container)), container, clock)


async def test_metrics_can_require_a_token(guarded_api: Api) -> None:
    assert (await guarded_api.get("/metrics")).status == 401
    wrong = await guarded_api.send("GET", "/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    right = await guarded_api.send("GET", "/metrics", headers={"Authorization": "Bearer s3cret"})
    assert right.status == 200 and PREFIX + "http_requests_total" in right.body


@pytest.mark.parametrize("given", ["abc-123", "x" * 128, "req:1/2;ok=yes"])
async def test_a_sensible_request_id_is_returned_as_given(api: Api, given: str) -> None:
    reply = await api.send("GET", "/stats/health", headers={"X-Request-ID": given})
    assert reply.headers["X-Request-ID"] == given


@pytest.mark.parametrize("given", ["", "x" * 129, "has space", "tab\tbed", "ünïcode"])
async def test_an_unusable_request_id_is_replaced(api: Api, given: str) -> None:
    reply = await api.send("GET", "/stats/health", headers={"X-Request-ID": given})
    returned = reply.headers["X-Request-ID"]
    assert returned != given and re.fullmatch(r"[0-9a-f]{32}", returned)


async def test_every_answer_has_a_request_id_errors_too(api: Api) -> None:
    for reply in (
        await api.get("/stats/nowhere"),
        await api.post("/stats/student/grade", {"grade": "x"}),
        await api.send("DELETE", "/stats/health"),
    ):
        assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["X-Request-ID"]), reply.headers
    first = (await api.get("/stats/health")).headers["X-Request-ID"]
    assert first != (await api.get("/stats/health")).headers["X-Request-ID"]


async def test_one_access_line_per_request(api: Api) -> None:
    out = io.StringIO()
    ACCESS_LOG.configure(out, "json")
    try:
        await api.send("GET", f"/stats/student/{ANA}/course/c1", headers={"X-Request-ID": "r-1"})
        ACCESS_LOG.flush()
    finally:
        ACCESS_LOG.configure(None, "json")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["route"], line["status"], line["path"]) == (
        "GET", "/stats/student/{student_id}/course/{course_id}", 404,
        f"/stats/student/{ANA}/course/c1",
    )
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "r-1"
    assert line["logger"] == "classconnect_stats.access" and line["level"] == "INFO"


def test_access_lines_wait_at_most_the_flush_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    log = AccessLog()
    log.configure(out, "text")
    clock = iter([100.0, 100.05, 100.3])
    monkeypatch.setattr(logging_setup.time, "time", lambda: next(clock))
    log.line("GET", "/r", "/p1", 200, 1.0, "a")
    log.line("GET", "/r", "/p2", 200, 1.0, "b")
    assert out.getvalue() == ""  # both wait: the first is 0.05 s old
    log.line("GET", "/r", "/p3", 404, 2.5, "c")  # the first is now 0.3 s old: all three go
    lines = out.getvalue().splitlines()
    assert [line.split(" INFO    classconnect_stats.access ")[1] for line in lines] == [
        "GET /p1 200 1.0ms [a]", "GET /p2 200 1.0ms [b]", "GET /p3 404 2.5ms [c]",
    ]


def test_every_request_goes_through_one_middleware_and_no_response_signal() -> None:
    """Each middleware layer and response signal is an awaited call on every request."""
    app = create_app(build_container(Settings(database={"storage": "memory"})))
    assert len(app.middlewares) == 1
    assert not app.on_response_prepare
