"""The input contract is strict and exact: unknown fields and parameters are refused by name,
graded_at and its other name created_at do not go together, grades are read from the JSON text
exactly and have at most 4 decimal places, and the OpenAPI document says all of it."""

from decimal import Decimal
from typing import Any

import pytest
from http_api import PROBLEM_JSON, Api, Reply

ANA = "00000000-0000-4000-8000-00000000000a"
COURSE_GRADE = "/stats/student/grade"
TASK_GRADE = "/stats/student/task/grade"
BATCH = "/stats/grades/batch"
TASK = {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7}


def named(reply: Reply) -> dict[str, str]:
    assert reply.content_type == PROBLEM_JSON, reply.body
    return {e["field"]: e["message"] for e in reply.body["errors"]}


async def test_a_misspelt_field_is_refused_not_defaulted(api: Api) -> None:
    reply = await api.post(TASK_GRADE, {**TASK, "on_tme": False, "grade": 11})
    assert reply.status == 400
    assert named(reply) == {
        "on_tme": "is not a documented field or parameter", "grade": "must be from 0 to 10"
    }
    batch = await api.post(BATCH, {"events": [{**TASK, "kind": "task_grade", "on_tme": False}]})
    assert batch.status == 422
    assert set(named(batch)) == {"events[0].on_tme"}
    assert api.recorded() == 0


async def test_a_field_named_by_the_empty_string_is_named_too(api: Api) -> None:
    reply = await api.post(TASK_GRADE, {**TASK, "": None})
    assert named(reply) == {'""': "is not a documented field or parameter"}


async def test_graded_at_and_created_at_together_are_refused(api: Api) -> None:
    both = {**TASK, "graded_at": "2026-01-15T10:00:00Z", "created_at": "2026-01-15T10:00:00Z"}
    reply = await api.post(TASK_GRADE, both)
    assert reply.status == 400
    assert set(named(reply)) == {"created_at"}
    alone = {**TASK, "created_at": "2026-01-15T10:00:00Z"}
    assert (await api.post(TASK_GRADE, alone)).status == 200


@pytest.mark.parametrize("text", ["9.999999999999999999", "5e-324", "7.00001"])
async def test_more_than_4_decimal_places_are_refused_never_rounded(api: Api, text: str) -> None:
    raw = f'{{"student_id": "{ANA}", "course_id": "c1", "grade": {text}}}'
    reply = await api.post_raw(COURSE_GRADE, raw, "application/json")
    assert reply.status == 400
    assert named(reply) == {"grade": "must have at most 4 decimal places"}
    assert api.recorded() == 0


async def test_a_grade_is_recorded_exactly_as_written(api: Api) -> None:
    raw = f'{{"student_id": "{ANA}", "course_id": "c1", "task_id": "t1", "grade": 7.1235}}'
    assert (await api.post_raw(TASK_GRADE, raw, "application/json")).status == 200
    [event] = api.container.adapters.database().task_events.values()
    assert event.grade == Decimal("7.1235")


@pytest.mark.parametrize(
    ("query", "field"),
    [({"grop_by": "day"}, "grop_by"), ({"group_by": ""}, "group_by"),
     ({"start_date": ""}, "start_date")],
)
async def test_unknown_and_empty_query_parameters_are_named(
    api: Api, query: dict[str, str], field: str
) -> None:
    reply = await api.send("GET", "/stats/course/c1/average", params=query)
    assert reply.status == 400
    assert set(named(reply)) == {field}


async def test_the_document_states_what_is_accepted(api: Api) -> None:
    document: dict[str, Any] = (await api.get("/stats/openapi.json")).body
    body = document["components"]["schemas"]["TaskGradeBody"]
    grade = body["properties"]["grade"]
    assert (grade["minimum"], grade["maximum"], grade["multipleOf"]) == (0, 10, 0.0001)
    assert "4 decimal places" in grade["description"]
    assert body["additionalProperties"] is False
    assert body["properties"]["student_id"]["format"] == "uuid"
    assert body["properties"]["task_id"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"
    assert body["not"] == {"required": ["graded_at", "created_at"]}
    moment = body["properties"]["created_at"]["anyOf"][0]
    assert moment["format"] == "date-time"
    parameters = document["paths"]["/stats/student/{student_id}/average"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("format") for p in parameters} == {
        "student_id": "uuid", "start_date": "date", "end_date": "date", "group_by": None,
        "If-None-Match": None,
    }
