"""The analytics routes, batch ingest and erasure over HTTP (numbers in depth: tests/contract)."""

import csv
import io
import json
import uuid

from http_api import PROBLEM_JSON, Api

ANA = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
AT = "2026-01-10T10:00:00Z"


def task(student: str, task_id: str, grade: float, on_time: bool = True, **more: object) -> dict:
    return {
        "kind": "task_grade",
        "student_id": student,
        "course_id": "algebra",
        "task_id": task_id,
        "grade": grade,
        "on_time": on_time,
        "graded_at": AT,
        **more,
    }


async def batch(api: Api, events: list[dict]) -> dict:
    reply = await api.post("/stats/grades/batch", {"events": events})
    assert reply.status == 202, reply.body
    return reply.body  # type: ignore[no-any-return]


async def test_a_batch_is_queued_whole_and_counts_duplicates_once(api: Api) -> None:
    same = str(uuid.uuid4())
    answer = await batch(
        api,
        [
            task(ANA, "hw1", 8, event_id=same),
            task(ANA, "hw1", 8, event_id=same),
            {"kind": "course_grade", "student_id": BEN, "course_id": "algebra", "grade": 6},
        ],
    )
    assert answer["count"] == 3 and answer["event_ids"][0] == same
    await batch(api, [task(ANA, "hw1", 8, event_id=same)])  # again, in another batch
    assert api.recorded() == 2


async def test_an_invalid_event_rejects_the_whole_batch_naming_each_field(api: Api) -> None:
    reply = await api.post(
        "/stats/grades/batch",
        {"events": [task(ANA, "hw1", 8), task("nope", "hw1", 11), {"kind": "essay"}]},
    )
    assert reply.status == 422 and reply.content_type == PROBLEM_JSON
    fields = {e["field"] for e in reply.body["errors"]}
    assert {"events[1].student_id", "events[1].grade"} <= fields
    assert any(f.startswith("events[2]") for f in fields)
    assert api.recorded() == 0


async def test_batch_size_limits(api: Api) -> None:
    empty = await api.post("/stats/grades/batch", {"events": []})
    assert empty.status == 422
    many = json.dumps({"events": [task(ANA, "t", 5)] * 10_001}).encode()
    too_many = await api.post_raw("/stats/grades/batch", io.BytesIO(many), "application/json")
    assert too_many.status == 422
    huge = json.dumps({"events": [task(ANA, "t", 5, pad="x" * 1000)] * 11_000})
    too_large = await api.post_raw(
        "/stats/grades/batch", io.BytesIO(huge.encode()), "application/json"
    )
    assert too_large.status == 413
    not_json = await api.post_raw("/stats/grades/batch", "[1,", "application/json")
    assert not_json.status == 400
    nan = await api.post_raw(
        "/stats/grades/batch", '{"events": [{"grade": NaN}]}', "application/json"
    )
    assert nan.status == 400


async def test_a_single_grade_keeps_its_1_mib_limit(api: Api) -> None:
    body = json.dumps({"student_id": ANA, "course_id": "c", "grade": 5, "pad": "x" * 1_100_000})
    reply = await api.post_raw(
        "/stats/student/grade", io.BytesIO(body.encode()), "application/json"
    )
    assert reply.status == 413


async def test_analytics_routes_answer_with_the_documented_shapes(api: Api) -> None:
    await batch(
        api,
        [
            task(ANA, "hw1", 8),
            task(ANA, "hw2", 6, on_time=False),
            task(BEN, "hw1", 4),
            task(BEN, "hw2", 3, on_time=False),
        ],
    )
    spreads = await api.get("/stats/course/algebra/tasks")
    assert spreads.status == 200
    hw1 = next(t for t in spreads.body["tasks"] if t["task_id"] == "hw1")
    assert (hw1["graded_count"], hw1["average"], hw1["median"], hw1["min"], hw1["max"]) == (
        2,
        6.0,
        6.0,
        4.0,
        8.0,
    )
    assert hw1["std_dev"] == 2.0 and sum(hw1["histogram"]) == 2
    page = await api.get("/stats/course/algebra/students", limit="1")
    assert page.status == 200 and len(page.body["items"]) == 1
    first = page.body["items"][0]
    assert (first["student_id"], first["rank"], first["average_grade"]) == (ANA, 1, 7.0)
    rest = await api.get(
        "/stats/course/algebra/students", limit="1", cursor=page.body["next_cursor"]
    )
    assert [i["student_id"] for i in rest.body["items"]] == [BEN]
    assert rest.body["items"][0]["percentile"] == 0.0
    distribution = await api.get("/stats/course/algebra/distribution")
    assert distribution.body["student_count"] == 2 and distribution.body["mean"] == 5.25
    risk = await api.get("/stats/course/algebra/at_risk", grade_below="4", on_time_below="40")
    assert [s["student_id"] for s in risk.body["students"]] == [BEN]
    courses = await api.get(f"/stats/student/{ANA}/courses")
    assert [(c["course_id"], c["rank"]) for c in courses.body["courses"]] == [("algebra", 1)]


async def test_bad_analytics_parameters_are_named(api: Api) -> None:
    reply = await api.get("/stats/course/algebra/students", sort="height", limit="0")
    assert reply.status == 400
    assert {e["field"] for e in reply.body["errors"]} == {"sort", "limit"}
    reply = await api.get("/stats/course/algebra/at_risk", grade_below="11", declining="maybe")
    assert {e["field"] for e in reply.body["errors"]} == {"grade_below", "declining"}


async def test_the_export_is_a_student_by_task_csv(api: Api) -> None:
    await batch(api, [task(ANA, "hw1", 8.5), task(BEN, "hw2", 3)])
    reply = await api.get("/stats/course/algebra/export.csv")
    assert reply.status == 200 and reply.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(reply.body)))
    assert rows == [["student_id", "hw1", "hw2"], [ANA, "8.5", ""], [BEN, "", "3"]]


async def test_erasing_a_student_removes_them_from_every_statistic(api: Api) -> None:
    await batch(api, [task(ANA, "hw1", 8), task(BEN, "hw1", 4)])
    reply = await api.send("DELETE", f"/stats/student/{ANA}")
    assert reply.status == 202 and reply.body["result"] == "queued"
    assert (await api.get(f"/stats/student/{ANA}/course/algebra")).status == 404
    averages = await api.get("/stats/course/algebra/task/hw1/averages")
    assert [s["student_id"] for s in averages.body["students"]] == [BEN]
    assert averages.body["group_average"] == 4.0
    assert (await api.get(f"/stats/student/{ANA}/courses")).body["courses"] == []
    bad = await api.send("DELETE", "/stats/student/not-a-uuid")
    assert bad.status == 400
