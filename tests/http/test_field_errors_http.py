"""One answer names every bad field of a grade, with the same message and detail whichever path
(a single POST or a batch event) it came by."""

from typing import Any

import pytest
from http_api import PROBLEM_JSON, Api, Reply

ANA = "00000000-0000-4000-8000-00000000000a"
COURSE_GRADE = "/stats/student/grade"
TASK_GRADE = "/stats/student/task/grade"
BATCH = "/stats/grades/batch"
TASK = {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7}
COURSE = {"student_id": ANA, "course_id": "c1", "grade": 7}


def named(reply: Reply) -> dict[str, str]:
    assert reply.content_type == PROBLEM_JSON, reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        # a missing field hid the bad values
        ({"student_id": "x", "course_id": "a b", "grade": -1},
         {"student_id", "course_id", "task_id", "grade"}),
        # a mistyped field hid the bad values
        ({"student_id": "x", "course_id": "a b", "task_id": "t1", "grade": "a", "on_time": 3},
         {"student_id", "course_id", "grade", "on_time"}),
        ({"student_id": 42, "course_id": "c1", "task_id": "t 1", "grade": None},
         {"student_id", "task_id", "grade"}),
        # a bad field hid a graded_at in the future (NOW is 2026-01-15T12:00Z)
        ({**TASK, "student_id": "x", "graded_at": "2026-01-15T12:05:01Z", "event_id": 7},
         {"student_id", "graded_at", "event_id"}),
    ],
)
async def test_a_single_grade_names_every_bad_field_at_once(
    api: Api, body: dict[str, Any], fields: set[str]
) -> None:
    reply = await api.post(TASK_GRADE, body)
    assert reply.status == 400
    assert set(named(reply)) == fields
    assert api.recorded() == 0


async def test_a_batch_event_names_every_bad_field_at_once(api: Api) -> None:
    events = [
        {**TASK, "kind": "task_grade"},
        {"kind": "task_grade", "student_id": "x", "grade": 11},
        {"kind": "course_grade", "student_id": "x", "course_id": "c1", "grade": "a",
         "graded_at": "2026-01-15T12:05:01Z"},
    ]
    reply = await api.post(BATCH, {"events": events})
    assert reply.status == 422
    assert set(named(reply)) == {
        "events[1].student_id", "events[1].course_id", "events[1].task_id", "events[1].grade",
        "events[2].student_id", "events[2].grade", "events[2].graded_at",
    }
    assert api.recorded() == 0


FAULTS = [
    {"grade": "a"},
    {"grade": True},
    {"grade": 11},
    {"grade": None},
    {"student_id": 42},
    {"student_id": "x"},
    {"course_id": ["c1"]},
    {"course_id": None},
    {"task_id": ""},
    {"on_time": None},
    {"on_time": "yes"},
    {"graded_at": "yesterday"},
    {"graded_at": "2025-03-01T10:00:00"},
    {"created_at": 1740823200},
    {"event_id": "42"},
]


def fault_id(fault: dict[str, Any]) -> str:
    [(field, value)] = fault.items()
    return f"{field}={value!r}"


@pytest.mark.parametrize("fault", FAULTS, ids=fault_id)
async def test_the_same_fault_gets_the_same_message_on_either_path(
    api: Api, fault: dict[str, Any]
) -> None:
    [(field, _)] = fault.items()
    single = await api.post(TASK_GRADE, {**TASK, **fault})
    batch = await api.post(BATCH, {"events": [{**TASK, **fault, "kind": "task_grade"}]})
    assert (single.status, batch.status) == (400, 422)
    assert named(batch) == {f"events[0].{field}": named(single)[field]}
    assert set(named(single)) == {field}


async def test_a_bad_shape_and_a_bad_value_get_the_same_detail(api: Api) -> None:
    details = set()
    for fault in FAULTS:
        reply = await api.post(TASK_GRADE, {**TASK, **fault})
        details.add(reply.body["detail"])
    assert len(details) == 1, details


@pytest.mark.parametrize("path", [COURSE_GRADE, TASK_GRADE])
async def test_a_null_on_time_is_refused_by_a_single_post(api: Api, path: str) -> None:
    body = TASK if path == TASK_GRADE else COURSE
    reply = await api.post(path, {**body, "on_time": None})
    assert reply.status == 400
    assert named(reply) == {"on_time": "must be true or false"}


@pytest.mark.parametrize("kind", ["course_grade", "task_grade"])
async def test_a_null_on_time_is_refused_in_a_batch(api: Api, kind: str) -> None:
    body = TASK if kind == "task_grade" else COURSE
    reply = await api.post(BATCH, {"events": [{**body, "kind": kind, "on_time": None}]})
    assert reply.status == 422
    assert named(reply) == {"events[0].on_time": "must be true or false"}
    assert api.recorded() == 0


async def test_on_time_left_out_is_true_on_either_path(api: Api) -> None:
    assert (await api.post(TASK_GRADE, TASK)).status == 200
    other = {**TASK, "task_id": "t2", "kind": "task_grade"}
    assert (await api.post(BATCH, {"events": [other]})).status == 202
    reply = await api.get("/stats/course/c1/on_time_percentage")
    [period] = reply.body["data"]
    assert (period["on_time_count"], period["total_count"]) == (2, 2)
