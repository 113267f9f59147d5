"""Faults the service must name, on real processes: every grade a client sent is either counted
once, or answered with a non-2xx naming its event id, and the retry with that id counts once; a
queue reset is reported, never silent.

Redis is frozen and restarted on a private server (tests/e2e/private_redis.py), never on the
machine's shared one. PostgreSQL stopped during ingest and a worker killed with SIGKILL are in
test_processes.py (marked `faults` too). Each test prints what the client saw, what the logs said
and the final counts (`pytest -m faults -s`)."""

import asyncio
import re
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bench.processes import free_port
from tests.e2e.conftest import Stack, host_port
from tests.e2e.harness import eventually, proxy
from tests.e2e.private_redis import PrivateRedis
from tests.e2e.test_processes import BASE_TIME, course_grade_count, get, post, settled_count

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.faults]

Body = dict[str, object]


def course_grade(course: str, event_id: str | None = None) -> Body:
    body: Body = {"student_id": str(uuid.uuid4()), "course_id": course, "grade": 6,
                  "graded_at": BASE_TIME.isoformat()}
    if event_id:
        body["event_id"] = event_id
    return body


def lines(log: str, pattern: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(pattern, line)]


async def send_until_answered(http: aiohttp.ClientSession, base: str, body: Body) -> int:
    """A careful client: resend the same body (same event id) until it is answered 2xx."""
    status, _ = await eventually(
        lambda: post(http, base, "student/grade", body), lambda r: r[0] < 300
    )
    return status


@pytest.fixture
async def redis_server(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis", persistent=request.param == "aof")
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@pytest.mark.parametrize("redis_server", ["aof"], indirect=True)
async def test_redis_frozen_during_posts(
    stack: Stack, http: aiohttp.ClientSession, redis_server: PrivateRedis
) -> None:
    """A frozen Redis applies writes after the API gave up on them: each 503 must name the id
    to retry with, and the retries count once."""
    env = {"STATS_REDIS_URL": redis_server.url, "STATS_QUEUE_TIMEOUT": "1"}
    base = await stack.api(http, **env)
    stack.worker(**env)
    bodies = [course_grade("frozen") for _ in range(32)]  # the clients send no event id
    redis_server.freeze()
    try:
        answers = await asyncio.gather(*(post(http, base, "student/grade", b) for b in bodies))
    finally:
        redis_server.thaw()
    retries: list[Body] = []
    for body, (status, answer) in zip(bodies, answers, strict=True):
        if status < 300:
            continue
        assert status == 503, answer
        [event_id] = answer["event_ids"]  # type: ignore[misc]
        assert "may or may not have been queued" in str(answer["detail"])
        retries.append({**body, "event_id": event_id})
    await asyncio.sleep(2)  # what Redis applied after the timeout gets recorded meanwhile
    recorded_before_retry = await course_grade_count(http, base, "frozen")
    for body in retries:
        await send_until_answered(http, base, body)
    final = await settled_count(http, base, "frozen", len(bodies))
    print(
        f"\nredis frozen: {len(bodies)} POSTs, {len(retries)} answered 503 naming their event "
        f"id; {recorded_before_retry} recorded anyway before any retry; after retrying with "
        f"those ids: {final} counted (expected {len(bodies)})\n"
        + "\n".join(lines(stack.services[0].log(), "unavailable")[:2])
    )
    assert retries, "a frozen Redis must make the POSTs time out"
    assert final == len(bodies)


@pytest.mark.parametrize("redis_server", ["none"], indirect=True)
async def test_redis_restarted_without_persistence(
    stack: Stack, http: aiohttp.ClientSession, redis_server: PrivateRedis
) -> None:
    """What a restart of a Redis without persistence loses is named: durability `none` at
    start, then one queue_reset line, a metric and readiness; a replay by event id counts once."""
    metrics_port = free_port()
    env = {"STATS_REDIS_URL": redis_server.url}
    base = await stack.api(http, **env)
    worker = stack.worker(**env, STATS_WORKER_METRICS_PORT=str(metrics_port))
    status, ready = await get(http, base, "ready")
    assert status == 200 and ready["queue_durability"] == "none", ready  # type: ignore[index]
    assert ready["queue_reset"] is None  # type: ignore[index]
    recorded = [course_grade("volatile", str(uuid.uuid4())) for _ in range(5)]
    for body in recorded:
        assert (await post(http, base, "student/grade", body))[0] == 200
    await eventually(lambda: course_grade_count(http, base, "volatile"), lambda n: n == 5)

    worker.signal(signal.SIGSTOP)  # a worker behind: what is queued now waits in Redis only
    try:
        waiting = [course_grade("volatile", str(uuid.uuid4())) for _ in range(10)]
        for body in waiting:
            assert (await post(http, base, "student/grade", body))[0] == 200
        await asyncio.to_thread(redis_server.restart)
    finally:
        worker.signal(signal.SIGCONT)

    _, ready = await eventually(
        lambda: get(http, base, "ready"),
        lambda r: isinstance(r[1], dict) and r[1].get("queue_reset") is not None,
    )
    reset = ready["queue_reset"]  # type: ignore[index]
    lost = await course_grade_count(http, base, "volatile")

    async def resets_counted() -> str:
        async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as r:
            return await r.text()

    await eventually(resets_counted, lambda text: "classconnect_stats_queue_resets_total 1.0" in text)
    # The operator's remedy (docs/operating.md): replay from the senders, with the event ids.
    for body in recorded + waiting:
        await send_until_answered(http, base, body)
    final = await settled_count(http, base, "volatile", 15)
    worker_log = stack.services[1].log()
    reset_lines = lines(worker_log, "queue_reset")
    warnings = [w for s in stack.services[:2] for w in lines(s.log(), "queue durability: none")]
    print(
        f"\nredis restarted without persistence: 15 POSTs answered 200; {lost} counted after "
        f"the restart ({15 - lost} queued grades lost); readiness queue_reset={reset}; after replaying "
        f"every grade with its event id: {final} counted (expected 15)\n"
        + "\n".join(warnings[:2] + reset_lines)
    )
    assert len(warnings) == 2  # the API and the worker, once each
    assert len(reset_lines) == 1
    # a read blocked when the worker stopped may still hand it the first entries: those survive
    assert 5 <= lost < 15
    assert final == 15


async def test_api_killed_during_posts(stack: Stack, http: aiohttp.ClientSession) -> None:
    """Clients cut off by a SIGKILLed API get no answer: resending with their own event ids to
    another API process counts each grade once (a claim of an id the dead process left behind
    lapses after twice STATS_QUEUE_TIMEOUT plus 5 s, 9 s here)."""
    first = await stack.api(http, STATS_QUEUE_TIMEOUT="2")
    stack.worker()
    bodies = [course_grade("killed", str(uuid.uuid4())) for _ in range(3000)]
    answered: dict[int, int] = {}  # body index -> status
    todo = list(enumerate(bodies))

    async def client() -> None:  # 32 of them, each sending one grade after another
        while todo:
            index, body = todo.pop()
            try:
                answered[index], _ = await post(http, first, "student/grade", body)
            except (TimeoutError, aiohttp.ClientError):
                pass

    sending = asyncio.gather(*(client() for _ in range(32)))
    await eventually(lambda: course_grade_count(http, first, "killed"), lambda n: n >= 200)
    stack.services[0].signal(signal.SIGKILL)
    await sending
    unanswered = [body for i, body in enumerate(bodies) if answered.get(i, 500) >= 300]
    second = await stack.api(http, STATS_QUEUE_TIMEOUT="2")
    for body in unanswered:  # every client that got no 2xx resends, with the same event id
        await send_until_answered(http, second, body)
    final = await settled_count(http, second, "killed", len(bodies))
    print(
        f"\napi SIGKILL: {len(answered)} POSTs answered ({sorted(set(answered.values()))}), "
        f"{len(unanswered)} cut off; after resending with their event ids: {final} counted "
        f"(expected {len(bodies)})"
    )
    assert set(answered.values()) <= {200}
    assert final == len(bodies)


@pytest.mark.parametrize("redis_server", ["none"], indirect=True)
@pytest.mark.parametrize("command", ["serve", "worker"])
async def test_a_queue_without_persistence_is_refused_when_durability_is_required(
    stack: Stack, redis_server: PrivateRedis, command: str
) -> None:
    args = ["--port", str(free_port())] if command == "serve" else []
    service = stack.service(
        command, command, *args, STATS_REDIS_URL=redis_server.url,
        STATS_QUEUE_REQUIRE_DURABLE="true", STATS_LOG_FORMAT="text",
    )
    assert await asyncio.to_thread(service.wait, 60) == 1
    last = service.log().strip().splitlines()[-1]
    assert last.startswith("the Redis queue has no persistence"), service.log()
    assert "STATS_QUEUE_REQUIRE_DURABLE=true" in last


async def test_a_killed_workers_entries_are_claimed_by_default_and_live_work_is_not(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    """With the default STATS_QUEUE_IDLE_TIMEOUT (15 s): entries a live worker holds through a
    PostgreSQL outage longer than that stay with it (its heartbeat keeps them fresh); once it is
    killed, another worker takes them within the idle timeout and a reclaim interval."""
    host, port = host_port(stack.database_url)
    async with proxy(host, port) as pg:
        through_proxy = stack.database_url.replace(f":{port}/", f":{pg.port}/")
        base = await stack.api(http)
        first = stack.worker("worker-1", STATS_DATABASE_URL=through_proxy)
        second = stack.worker("worker-2", STATS_DATABASE_URL=through_proxy)
        for worker in (first, second):  # both past their start-up check of PostgreSQL
            await eventually(lambda w=worker: asyncio.sleep(0, w.log()),
                             lambda log: "consuming" in log)
        await pg.cut()
        second.signal(signal.SIGSTOP)  # worker-1 takes (nearly) everything posted now
        bodies = [course_grade("claimed", str(uuid.uuid4())) for _ in range(20)]
        try:
            for body in bodies:
                assert (await post(http, base, "student/grade", body))[0] == 200
        finally:
            second.signal(signal.SIGCONT)
        await asyncio.sleep(20)  # longer than the idle timeout: live work must not move
        assert not lines(second.log(), "reclaimed"), second.log()
        first.signal(signal.SIGKILL)
        await eventually(lambda: asyncio.sleep(0, second.log()),
                         lambda log: bool(lines(log, "reclaimed")), 40)
        await pg.restore()
        final = await settled_count(http, base, "claimed", len(bodies))
    print(f"\nworker SIGKILL with default timings: 20 POSTs answered 200; {final} counted "
          f"(expected 20)\n" + "\n".join(lines(second.log(), "reclaimed")))
    assert final == len(bodies)
