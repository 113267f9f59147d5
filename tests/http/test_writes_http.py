"""POSTs: the 200 answer, what gets recorded, idempotency, and rejections leaving no trace."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from http_api import PROBLEM_JSON, Api

ANA = "00000000-0000-4000-8000-00000000000a"
COURSE_GRADE = "/stats/student/grade"
TASK_GRADE = "/stats/student/task/grade"


def is_uuid(value: object) -> bool:
    try:
        return str(uuid.UUID(str(value))) == value
    except ValueError:
        return False


async def course_average(api: Api, course: str = "c1") -> tuple[float | None, int]:
    reply = await api.get(f"/stats/course/{course}/average")
    counts = sum(p["grade_count"] for p in reply.body["averages"])
    return reply.body["average_grade"], counts


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (COURSE_GRADE, {"student_id": ANA, "course_id": "c1", "grade": 7}),
        (TASK_GRADE, {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7.5}),
    ],
)
async def test_a_valid_grade_is_queued(api: Api, path: str, body: dict[str, Any]) -> None:
    reply = await api.post(path, body)
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert reply.body["status"] == 200 and reply.body["result"] == "queued"
    assert is_uuid(reply.body["event_id"])
    assert set(reply.body) == {"status", "result", "event_id"}
    assert api.recorded() == 1


async def test_every_course_grade_counts(api: Api) -> None:
    for grade in (6, 6, 9):
        await api.grade(student_id=ANA, course_id="c1", grade=grade)
    assert await course_average(api) == (7.0, 3)


async def test_the_event_id_is_the_one_given(api: Api) -> None:
    event_id = str(uuid.uuid4())
    reply = await api.grade(student_id=ANA, course_id="c1", grade=5, event_id=event_id)
    assert reply.body["event_id"] == event_id


async def test_a_retry_with_the_same_body_event_id_counts_once(api: Api) -> None:
    event_id = str(uuid.uuid4())
    first = await api.grade(student_id=ANA, course_id="c1", grade=4, event_id=event_id)
    api.clock.advance(timedelta(seconds=30))
    retry = await api.grade(student_id=ANA, course_id="c1", grade=4, event_id=event_id)
    await api.grade(student_id=ANA, course_id="c1", grade=10)
    assert first.body["event_id"] == retry.body["event_id"] == event_id
    assert await course_average(api) == (7.0, 2)


async def test_a_retry_with_the_same_idempotency_key_counts_once(api: Api) -> None:
    body = {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 3}
    first = await api.post(TASK_GRADE, body, headers={"Idempotency-Key": "req-42"})
    api.clock.advance(timedelta(minutes=1))
    # the retry has no graded_at, so its own default would be newer: it must still not count
    retry = await api.post(TASK_GRADE, body, headers={"Idempotency-Key": "req-42"})
    assert first.status == retry.status == 200
    assert first.body == retry.body
    reply = await api.get("/stats/course/c1/task/t1/averages")
    assert reply.body["students"] == [{"student_id": ANA, "average_grade": 3.0, "grade_count": 1}]
    assert api.recorded() == 1


async def test_a_uuid_idempotency_key_is_the_event_id(api: Api) -> None:
    key = str(uuid.uuid4())
    reply = await api.post(
        COURSE_GRADE, {"student_id": ANA, "course_id": "c1", "grade": 1},
        headers={"Idempotency-Key": key},
    )
    assert reply.body["event_id"] == key


async def test_different_idempotency_keys_count_separately(api: Api) -> None:
    body = {"student_id": ANA, "course_id": "c1", "grade": 2}
    for key in ("a", "b"):
        reply = await api.post(COURSE_GRADE, body, headers={"Idempotency-Key": key})
        assert reply.status == 200
    assert await course_average(api) == (2.0, 2)


async def test_an_idempotency_key_contradicting_the_body_event_id_is_rejected(api: Api) -> None:
    body = {"student_id": ANA, "course_id": "c1", "grade": 2, "event_id": str(uuid.uuid4())}
    reply = await api.post(COURSE_GRADE, body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert (reply.status, reply.content_type) == (400, PROBLEM_JSON)
    assert [e["field"] for e in reply.body["errors"]] == ["event_id"]
    assert api.recorded() == 0


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
async def test_a_blank_or_overlong_idempotency_key_is_rejected(api: Api, key: str) -> None:
    body = {"student_id": ANA, "course_id": "c1", "grade": 2}
    reply = await api.post(COURSE_GRADE, body, headers={"Idempotency-Key": key})
    assert reply.status == 400
    assert [e["field"] for e in reply.body["errors"]] == ["Idempotency-Key"]


async def test_a_regrade_replaces_the_old_grade(api: Api) -> None:
    base = {"student_id": ANA, "course_id": "c1", "task_id": "t1"}
    await api.task_grade(**base, grade=2, on_time=False, graded_at="2026-01-10T10:00:00Z")
    await api.task_grade(**base, grade=8, on_time=True, graded_at="2026-01-11T10:00:00Z")
    summary = await api.get(f"/stats/student/{ANA}/course/c1")
    assert (summary.body["task_average"], summary.body["assignments_completed"]) == (8.0, 1)
    assert summary.body["on_time_percentage"] == 100.0


async def test_an_older_grade_arriving_late_does_not_overwrite(api: Api) -> None:
    base = {"student_id": ANA, "course_id": "c1", "task_id": "t1"}
    await api.task_grade(**base, grade=8, graded_at="2026-01-11T10:00:00Z")
    api.clock.advance(timedelta(hours=1))
    await api.task_grade(**base, grade=2, graded_at="2026-01-10T10:00:00Z")
    reply = await api.get("/stats/course/c1/task/t1/averages")
    assert reply.body["group_average"] == 8.0


async def test_on_equal_graded_at_the_later_accepted_wins(api: Api) -> None:
    base = {"student_id": ANA, "course_id": "c1", "task_id": "t1", "graded_at": "2026-01-11T10:00:00Z"}
    await api.task_grade(**base, grade=3)
    api.clock.advance(timedelta(seconds=1))
    await api.task_grade(**base, grade=6)
    reply = await api.get("/stats/course/c1/task/t1/averages")
    assert reply.body["group_average"] == 6.0


async def test_created_at_is_an_alias_of_graded_at(api: Api) -> None:
    await api.grade(student_id=ANA, course_id="c1", grade=5, created_at="2025-07-04T12:00:00+09:00")
    reply = await api.get("/stats/course/c1/average", group_by="day")
    assert [p["period"] for p in reply.body["averages"]] == ["2025-07-04T00:00:00Z"]


async def test_up_to_five_minutes_in_the_future_is_accepted(api: Api) -> None:
    reply = await api.post(
        COURSE_GRADE,
        {"student_id": ANA, "course_id": "c1", "grade": 5, "graded_at": "2026-01-15T12:05:00Z"},
    )
    assert reply.status == 200


async def test_more_than_five_minutes_in_the_future_is_rejected(api: Api) -> None:
    reply = await api.post(
        COURSE_GRADE,
        {"student_id": ANA, "course_id": "c1", "grade": 5, "graded_at": "2026-01-15T12:05:01Z"},
    )
    assert (reply.status, reply.content_type) == (400, PROBLEM_JSON)
    assert reply.body["errors"] == [
        {"field": "graded_at", "message": "must not be more than 5 minutes in the future"}
    ]


@pytest.mark.parametrize("path", [COURSE_GRADE, TASK_GRADE])
async def test_a_rejected_write_leaves_no_trace(api: Api, path: str) -> None:
    event_id = str(uuid.uuid4())
    bad = {"student_id": ANA, "course_id": "c1", "grade": 11, "event_id": event_id}
    if path == TASK_GRADE:
        bad["task_id"] = "t1"
    reply = await api.post(path, bad)
    assert reply.status == 400
    assert api.recorded() == 0
    summary = await api.get(f"/stats/student/{ANA}/course/c1")
    assert summary.status == 404
    # the same event id is still free for a good request
    good = await api.post(path, {**bad, "grade": 10})
    assert good.status == 200 and good.body["event_id"] == event_id
    assert api.recorded() == 1
