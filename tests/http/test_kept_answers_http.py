"""Answers kept ready, over HTTP on the in-memory service: a kept answer is what a computation from
scratch gives after every kind of write, it carries an ETag (a 304 for a client that has it),
and each role variant has its own."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from dependency_injector import providers
from http_api import Api
from test_auth_http import ME, PEER, SECRET, TAUGHT, bearer

from adapters.memory import ManualClock
from application.ports.changes import RESET
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.keys import ANSWER_CACHE
from entrypoints.settings import Settings

ANA = "00000000-0000-4000-8000-00000000000a"
BEN = "00000000-0000-4000-8000-00000000000b"

# Every kept read, of course c1 and its student ANA.
READS = [
    f"/stats/student/{ANA}/course/c1",
    f"/stats/student/{ANA}/average",
    "/stats/course/c1/average",
    f"/stats/student/{ANA}/course/c1/task/average",
    "/stats/course/c1/task/t1/averages",
    "/stats/course/c1/on_time_percentage",
    f"/stats/course/c1/student/{ANA}/on_time_percentage",
    "/stats/course/c1/tasks",
    "/stats/course/c1/students",
    "/stats/course/c1/distribution",
    "/stats/course/c1/at_risk",
    f"/stats/student/{ANA}/courses",
    f"/stats/student/{BEN}/courses",
]


def etag(reply: Any) -> str | None:
    return {k.lower(): v for k, v in reply.headers.items()}.get("etag")


def shown(reply: Any) -> tuple[int, Any, str | None]:
    return reply.status, reply.body, etag(reply)


async def task_grade(api: Api, student: str, grade: float, when: str, task: str = "t1") -> None:
    await api.task_grade(
        student_id=student, course_id="c1", task_id=task, grade=grade, on_time=True,
        graded_at=when,
    )
    api.clock.advance(timedelta(seconds=1))


async def read_all(api: Api) -> list[tuple[int, Any, str | None]]:
    return [shown(await api.get(path)) for path in READS]


async def from_scratch(api: Api) -> list[tuple[int, Any, str | None]]:
    """Every read computed anew: a reset makes the cache forget what it kept."""
    api.container.adapters.database().changes.publish(RESET)
    await asyncio.sleep(0.01)
    return await read_all(api)


async def test_kept_answers_equal_answers_from_scratch_after_every_kind_of_write(api: Api) -> None:
    await api.grade(student_id=ANA, course_id="c1", grade=7, graded_at="2026-01-05T10:00:00Z")
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    await task_grade(api, BEN, 8, "2026-01-05T10:00:00Z")
    kept = await read_all(api)
    assert kept == await read_all(api)
    assert api.client.app[ANSWER_CACHE].counts.hits == len(READS)
    writes: list[Callable[[], Awaitable[object]]] = [
        lambda: task_grade(api, ANA, 9, "2026-01-06T10:00:00Z"),  # a regrade
        lambda: task_grade(api, ANA, 1, "2026-01-05T11:00:00Z"),  # older, arriving late
        lambda: task_grade(api, BEN, 10, "2026-01-07T10:00:00Z", task="t2"),  # a peer catching up
        lambda: task_grade(api, BEN, 10, "2026-01-07T10:00:00Z"),  # ... overtaking ANA
        lambda: api.grade(student_id=BEN, course_id="c2", grade=3),  # another course
        lambda: api.send("DELETE", f"/stats/student/{ANA}"),  # erasure
        lambda: task_grade(api, ANA, 4, "2026-01-08T10:00:00Z"),  # after the erasure
    ]
    for write in writes:
        await read_all(api)  # kept
        await write()
        after = await read_all(api)
        assert after == await from_scratch(api)
    assert [body for _, body, _ in after] != [body for _, body, _ in kept]


async def test_a_regrade_replaces_the_kept_answer(api: Api) -> None:
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    first = await api.get("/stats/course/c1/task/t1/averages")
    assert first.body["group_average"] == 5
    assert shown(await api.get("/stats/course/c1/task/t1/averages")) == shown(first)  # kept
    await task_grade(api, ANA, 9, "2026-01-06T10:00:00Z")
    regraded = await api.get("/stats/course/c1/task/t1/averages")
    assert regraded.body["group_average"] == 9
    assert etag(regraded) != etag(first)


async def test_a_client_holding_the_answer_gets_a_304(api: Api) -> None:
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    first = await api.get("/stats/course/c1/tasks")
    tag = etag(first)
    assert tag is not None and tag.startswith('"') and tag.endswith('"')
    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        reply = await api.send("GET", "/stats/course/c1/tasks", headers={"If-None-Match": held})
        assert shown(reply) == (304, "", tag)
    other = await api.send("GET", "/stats/course/c1/tasks", headers={"If-None-Match": '"x"'})
    assert (other.status, other.body) == (200, first.body)
    await task_grade(api, BEN, 8, "2026-01-05T10:00:00Z")
    changed = await api.send("GET", "/stats/course/c1/tasks", headers={"If-None-Match": tag})
    assert changed.status == 200 and etag(changed) != tag


async def test_the_same_answer_has_the_same_etag_in_another_process(
    api: Api, aiohttp_client: Callable[[Any], Awaitable[Any]]
) -> None:
    """Another app over the same data (as another API process over the same database)."""
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    other = await aiohttp_client(create_app(api.container))
    mine = await api.get("/stats/course/c1/students")
    theirs = await other.get("/stats/course/c1/students")
    assert theirs.headers["ETag"] == etag(mine)


async def test_students_and_teachers_get_their_own_variant_of_one_path(
    aiohttp_client: Callable[[Any], Awaitable[Any]], clock: ManualClock
) -> None:
    container = build_container(
        Settings(database={"storage": "memory"}, auth={"jwt_secret": SECRET})
    )
    container.adapters.clock.override(providers.Object(clock))
    api = Api(await aiohttp_client(create_app(container)), container, clock)
    for student, grade in ((ME, 6), (PEER, 9)):
        body = {"student_id": student, "course_id": TAUGHT, "task_id": "hw1", "grade": grade}
        assert (await api.post("/stats/student/task/grade", body, bearer("service"))).status == 200
    path = f"/stats/student/{ME}/course/{TAUGHT}/task/average"
    teacher = bearer("teacher", sub=PEER, courses=[TAUGHT])
    for _ in range(2):
        as_teacher = await api.send("GET", path, headers=teacher)
        as_student = await api.send("GET", path, headers=bearer("student"))
        assert PEER in str(as_teacher.body)
        assert PEER not in str(as_student.body)
        assert as_student.body["other_students"][0]["average_grade"] == 9


async def test_the_cache_is_counted_in_the_metrics(api: Api) -> None:
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    for _ in range(3):
        await api.get("/stats/course/c1/tasks")
    cache = api.client.app[ANSWER_CACHE]
    assert (cache.counts.misses, cache.counts.hits) == (1, 2)
    metrics = (await api.get("/metrics")).body
    assert 'classconnect_stats_answer_cache_requests_total{result="hit"} 2.0' in metrics
    assert 'classconnect_stats_answer_cache_requests_total{result="miss"} 1.0' in metrics
    assert "classconnect_stats_answer_cache_evictions_total 0.0" in metrics
    assert "classconnect_stats_answer_cache_entries 1.0" in metrics


async def test_no_answers_are_kept_when_the_cache_has_no_room(
    aiohttp_client: Callable[[Any], Awaitable[Any]], clock: ManualClock
) -> None:
    container = build_container(
        Settings(database={"storage": "memory"}, http={"answer_cache_bytes": 0})
    )
    container.adapters.clock.override(providers.Object(clock))
    api = Api(await aiohttp_client(create_app(container)), container, clock)
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    first = await api.get("/stats/course/c1/tasks")
    second = await api.get("/stats/course/c1/tasks")
    assert shown(first) == shown(second) and etag(first) is not None
    cache = api.client.app[ANSWER_CACHE]
    assert (cache.counts.hits, cache.counts.bypasses) == (0, 2)


async def test_each_query_string_has_its_own_answer(api: Api) -> None:
    await api.grade(student_id=ANA, course_id="c1", grade=7, graded_at="2026-01-05T10:00:00Z")
    await api.grade(student_id=BEN, course_id="c1", grade=9, graded_at="2026-01-06T10:00:00Z")
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    await task_grade(api, BEN, 8, "2026-01-05T10:00:00Z")
    for _ in range(2):
        overall = await api.get("/stats/course/c1/average")
        daily = await api.get("/stats/course/c1/average", group_by="day")
        assert len(overall.body["averages"]) == 1 and len(daily.body["averages"]) == 2
        worst_first = await api.get("/stats/course/c1/students", order="asc")
        best_first = await api.get("/stats/course/c1/students", order="desc")
        assert [s["student_id"] for s in worst_first.body["items"]] == [ANA, BEN]
        assert [s["student_id"] for s in best_first.body["items"]] == [BEN, ANA]


OPEN_ENDED = [
    f"/stats/student/{ANA}/average",
    "/stats/course/c1/average?group_by=month",
    "/stats/course/c1/on_time_percentage?group_by=week",
    f"/stats/course/c1/student/{ANA}/on_time_percentage",
]


async def test_an_open_ended_answer_stays_kept_and_ends_at_each_request(api: Api) -> None:
    await api.grade(student_id=ANA, course_id="c1", grade=7, graded_at="2026-01-05T10:00:00Z")
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    first = [await api.get(path) for path in OPEN_ENDED]
    api.clock.advance(timedelta(hours=1, microseconds=250))  # a fraction of a second, too
    cache = api.client.app[ANSWER_CACHE]
    hits = cache.counts.hits
    later = [await api.get(path) for path in OPEN_ENDED]
    assert cache.counts.hits == hits + len(OPEN_ENDED)  # the time passing changes nothing kept
    ends = {reply.body["time_range"]["end"] for reply in later}
    assert ends == {api.clock.now().isoformat().replace("+00:00", "Z")}
    for before, after in zip(first, later, strict=True):
        assert before.body["time_range"]["end"] != after.body["time_range"]["end"]
        assert {**before.body, "time_range": None} == {**after.body, "time_range": None}
        assert etag(before) != etag(after)  # the tag is of the bytes served
    api.container.adapters.database().changes.publish(RESET)
    await asyncio.sleep(0.01)
    misses = cache.counts.misses
    anew = [shown(await api.get(path)) for path in OPEN_ENDED]
    assert cache.counts.misses == misses + len(OPEN_ENDED)
    assert [shown(reply) for reply in later] == anew  # the same bytes as computed at this time


async def test_a_peers_grade_leaves_a_students_own_answers_kept(api: Api) -> None:
    own = [
        f"/stats/student/{ANA}/course/c1",
        f"/stats/course/c1/student/{ANA}/on_time_percentage?end_date=2026-02-01",
    ]
    shared = [f"/stats/student/{ANA}/course/c1/task/average", "/stats/course/c1/tasks"]
    await task_grade(api, ANA, 5, "2026-01-05T10:00:00Z")
    before = {path: shown(await api.get(path)) for path in own + shared}
    await task_grade(api, BEN, 9, "2026-01-05T10:00:00Z")  # a peer, same course
    await asyncio.sleep(0.01)
    cache = api.client.app[ANSWER_CACHE]
    hits, misses = cache.counts.hits, cache.counts.misses
    after = {path: shown(await api.get(path)) for path in own + shared}
    assert (cache.counts.hits - hits, cache.counts.misses - misses) == (len(own), len(shared))
    assert all(after[path] == before[path] for path in own)
    assert all(after[path] != before[path] for path in shared)
    await api.task_grade(  # the student's own regrade, late
        student_id=ANA, course_id="c1", task_id="t1", grade=7, on_time=False,
        graded_at="2026-01-06T10:00:00Z",
    )
    await asyncio.sleep(0.01)
    regraded = [shown(await api.get(path)) for path in own]
    assert all(now != before[path] for now, path in zip(regraded, own, strict=True))
