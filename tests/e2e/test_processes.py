"""The real thing: `serve` and `worker` processes over PostgreSQL and Redis, with faults."""

import asyncio
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bench.processes import Process
from tests.e2e.conftest import Stack, host_port
from tests.e2e.harness import eventually, proxy

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


async def post(
    http: aiohttp.ClientSession, base: str, path: str, body: dict[str, object], **headers: str
) -> tuple[int, dict[str, object]]:
    async with http.post(f"{base}/stats/{path}", json=body, headers=headers) as r:
        return r.status, await r.json(content_type=None)


async def get(http: aiohttp.ClientSession, base: str, path: str) -> tuple[int, object]:
    async with http.get(f"{base}/stats/{path}") as r:
        return r.status, await r.json(content_type=None)


async def course_grade_count(http: aiohttp.ClientSession, base: str, course: str) -> int:
    status, body = await get(http, base, f"course/{course}/average")
    assert status == 200, body
    assert isinstance(body, dict)
    return sum(int(p["grade_count"]) for p in body["averages"])


async def post_course_grades(
    http: aiohttp.ClientSession, base: str, course: str, count: int, concurrency: int = 32
) -> list[str]:
    """`count` distinct course-level grades of 5 each; returns their event ids."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for event_id in ids:
        queue.put_nowait(event_id)

    async def client() -> None:
        while not queue.empty():
            event_id = queue.get_nowait()
            body = {
                "student_id": str(uuid.uuid4()),
                "course_id": course,
                "grade": 5,
                "event_id": event_id,
                "graded_at": BASE_TIME.isoformat(),
            }
            status, answer = await post(http, base, "student/grade", body)
            assert status == 200, answer

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return ids


async def posting_under_way(
    http: aiohttp.ClientSession, base: str, course: str, count: int, recorded: int
) -> asyncio.Task[list[str]]:
    """Starts posting `count` grades to `course`; returns once `recorded` of them are recorded."""
    posting = asyncio.create_task(post_course_grades(http, base, course, count))
    await eventually(lambda: course_grade_count(http, base, course), lambda n: n >= recorded)
    return posting


async def busy_worker(
    stack: Stack, http: aiohttp.ClientSession, course: str, count: int, recorded: int
) -> tuple[str, Process, asyncio.Task[list[str]]]:
    """The API and a worker, `worker-1`, once it has recorded `recorded` of the `count` grades
    being posted to `course`; returns the API's base URL, the worker and the posting task."""
    base = await stack.api(http)
    worker = stack.worker("worker-1", STATS_QUEUE_IDLE_TIMEOUT="2")
    return base, worker, await posting_under_way(http, base, course, count, recorded)


async def settled_count(http: aiohttp.ClientSession, base: str, course: str, expected: int) -> int:
    """The count once it reaches `expected`, and still after a pause (a grade recorded twice
    would show up as more)."""
    await eventually(lambda: course_grade_count(http, base, course), lambda n: n >= expected, 60)
    await asyncio.sleep(3)
    return await course_grade_count(http, base, course)


async def test_every_number_through_real_processes(stack: Stack, http: aiohttp.ClientSession) -> None:
    base = await stack.api(http)
    stack.worker()
    student, peer = str(uuid.uuid4()), str(uuid.uuid4())
    at = lambda days: (BASE_TIME + timedelta(days=days)).isoformat()
    course_grades = [(student, 8, at(0)), (student, 6.5, at(1)), (peer, 9, at(8))]
    for sid, grade, when in course_grades:
        status, _ = await post(
            http, base, "student/grade",
            {"student_id": sid, "course_id": "algebra", "grade": grade, "graded_at": when},
        )
        assert status == 200
    retried = str(uuid.uuid4())
    for _ in range(3):  # a client retrying the same request: counted once
        status, _ = await post(
            http, base, "student/grade",
            {"student_id": peer, "course_id": "algebra", "grade": 1, "graded_at": at(9)},
            **{"Idempotency-Key": retried},
        )
        assert status == 200
    task_grades = [
        (student, "hw1", 4, True, at(0)),
        (student, "hw1", 7, False, at(2)),  # regrade: replaces 4
        (student, "hw1", 2, True, at(1)),  # older, arrives late: ignored
        (student, "hw2", 9.25, True, at(3)),
        (peer, "hw1", 10, True, at(0)),
    ]
    for sid, task, grade, on_time, when in task_grades:
        status, _ = await post(
            http, base, "student/task/grade",
            {"student_id": sid, "course_id": "algebra", "task_id": task, "grade": grade,
             "on_time": on_time, "graded_at": when},
        )
        assert status == 200

    async def summary() -> tuple[int, object]:
        return await get(http, base, f"student/{student}/course/algebra")

    # Course grades and task grades are recorded in separate batches, in no promised order:
    # wait for the whole summary, not for its task figures alone.
    expected = {
        "student_id": student, "course_id": "algebra", "average_grade": 7.25,
        "task_average": 8.13, "assignments_completed": 2, "on_time_percentage": 50.0,
    }
    _, body = await eventually(summary, lambda r: r[0] == 200 and r[1] == expected)
    assert body == expected
    await eventually(lambda: course_grade_count(http, base, "algebra"), lambda n: n == 4)
    status, course = await get(http, base, "course/algebra/average?group_by=week")
    assert status == 200
    assert course["average_grade"] == 6.13  # (8 + 6.5 + 9 + 1) / 4 = 6.125
    assert course["total_students"] == 2
    assert course["averages"] == [
        {"period": "2026-03-02T00:00:00Z", "average_grade": 7.25, "grade_count": 2},
        {"period": "2026-03-09T00:00:00Z", "average_grade": 5.0, "grade_count": 2},
    ]
    status, on_time = await get(http, base, "course/algebra/on_time_percentage")
    assert on_time["data"] == [
        {"period": "all_time", "on_time_count": 2, "total_count": 3, "percentage": 66.67}
    ]
    status, task = await get(http, base, "course/algebra/task/hw1/averages")
    assert task["group_average"] == 8.5
    assert [s["average_grade"] for s in task["students"]] == [10.0, 7.0]


@pytest.mark.faults
async def test_killed_worker_loses_nothing_and_counts_once(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    base, first, posting = await busy_worker(stack, http, "physics", 3000, recorded=200)
    first.signal(signal.SIGKILL)
    first.wait(10)
    ids = await posting
    assert len(set(ids)) == 3000
    stack.worker("worker-2", STATS_QUEUE_IDLE_TIMEOUT="2")
    # no new traffic from here on: what worker-1 held must be reclaimed all the same
    final = await settled_count(http, base, "physics", 3000)
    print(f"\nworker SIGKILL: 3000 POSTs answered 200; {final} counted (expected 3000)\n"
          + "\n".join(line for s in stack.services for line in s.log().splitlines()
                       if "reclaimed" in line))
    assert final == 3000


async def test_sigterm_stops_a_busy_worker_within_ten_seconds(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    base, worker, posting = await busy_worker(stack, http, "chemistry", 1500, recorded=100)
    started = time.monotonic()
    worker.signal(signal.SIGTERM)
    await asyncio.to_thread(worker.wait, 10)
    assert time.monotonic() - started < 10
    await posting
    stack.worker("worker-2", STATS_QUEUE_IDLE_TIMEOUT="2")
    assert await settled_count(http, base, "chemistry", 1500) == 1500


@pytest.mark.faults
async def test_postgres_cut_mid_stream(stack: Stack, http: aiohttp.ClientSession) -> None:
    host, port = host_port(stack.database_url)
    async with proxy(host, port) as pg:
        through_proxy = stack.database_url.replace(f":{port}/", f":{pg.port}/")
        base = await stack.api(http, STATS_DATABASE_URL=through_proxy, STATS_DATABASE_TIMEOUT="2")
        stack.worker(STATS_DATABASE_URL=through_proxy, STATS_DATABASE_TIMEOUT="2")
        posting = await posting_under_way(http, base, "biology", 1000, recorded=50)
        await pg.cut()
        # Postgres unreachable: writes are still accepted (they wait in Redis), reads answer 503
        status, answer = await post(
            http, base, "student/grade",
            {"student_id": str(uuid.uuid4()), "course_id": "biology", "grade": 5},
        )
        assert status == 200, answer
        status, problem = await get(http, base, "course/biology/average")
        assert status == 503, problem
        assert problem["status"] == 503  # type: ignore[index]
        await posting
        await asyncio.sleep(1)
        await pg.restore()
        final = await settled_count(http, base, "biology", 1001)
        worker_log = stack.services[1].log().splitlines()
        print(f"\npostgres cut: 1001 POSTs answered 200 (a read during the cut: 503); {final} "
              f"counted (expected 1001); worker log: {len(worker_log)} lines, of which\n"
              + "\n".join(line for line in worker_log if "WARNING" in line or "ERROR" in line))
        assert final == 1001


async def test_redis_unreachable_at_post_time(stack: Stack, http: aiohttp.ClientSession) -> None:
    host, port = host_port(stack.redis_url)
    async with proxy(host, port) as redis_proxy:
        through_proxy = stack.redis_url.replace(f":{port}", f":{redis_proxy.port}")
        base = await stack.api(http, STATS_REDIS_URL=through_proxy)
        stack.worker()
        status, _ = await post(
            http, base, "student/grade",
            {"student_id": str(uuid.uuid4()), "course_id": "art", "grade": 5},
        )
        assert status == 200
        await eventually(lambda: course_grade_count(http, base, "art"), lambda n: n == 1)
        await redis_proxy.cut()
        status, problem = await post(
            http, base, "student/grade",
            {"student_id": str(uuid.uuid4()), "course_id": "art", "grade": 7},
        )
        assert status == 503, problem
        assert problem["status"] == 503
        assert await course_grade_count(http, base, "art") == 1  # reads keep working
        await redis_proxy.restore()
        status, _ = await eventually(
            lambda: post(http, base, "student/grade",
                         {"student_id": str(uuid.uuid4()), "course_id": "art", "grade": 9}),
            lambda r: r[0] == 200,
        )
        await eventually(lambda: course_grade_count(http, base, "art"), lambda n: n == 2)
