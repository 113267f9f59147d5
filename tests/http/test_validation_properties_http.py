"""Whatever arrives, the API answers 200 or a 4xx problem document, and records exactly what it
accepted."""

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from http_api import PROBLEM_JSON, Api
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

ANA = "00000000-0000-4000-8000-00000000000a"
POSTS = ["/stats/student/grade", "/stats/student/task/grade"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.none() | offsets
).map(datetime.isoformat)
past = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(2026, 1, 15), timezones=offsets
).map(datetime.isoformat)
slugs = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)


def mostly(valid: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` four times in five, so that accepted grades come up as well as rejected ones."""
    return st.integers(0, 4).flatmap(lambda n: other if n == 0 else valid)


near_valid = st.fixed_dictionaries(
    {
        "student_id": mostly(st.sampled_from([ANA]) | st.uuids().map(str), json_values),
        "course_id": mostly(slugs, json_values),
        "task_id": mostly(slugs, json_values),
        # a grade has at most 4 decimal places: most floats in 0-10 have more, and are refused
        "grade": mostly(
            st.decimals(0, 10, places=4).map(float) | st.integers(0, 10),
            st.floats() | json_values,
        ),
    },
    optional={
        "on_time": mostly(st.booleans(), json_values),
        "graded_at": mostly(past, moments | json_values),
        "created_at": mostly(past, moments | json_values),
        "event_id": mostly(st.uuids().map(str), json_values),
        "extra": json_values,
    },
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
bodies = mostly(near_valid, json_values)

forgiving = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def accepted() -> set[tuple[str, uuid.UUID]]:
    """What the API said it accepted, across a test's examples: (kind, event id)."""
    return set()


def recorded(api: Api) -> set[tuple[str, uuid.UUID]]:
    database = api.container.adapters.database()
    return {("course", e) for e in database.course_grades} | {
        ("task", e) for e in database.task_events
    }


@forgiving
@given(
    path=st.sampled_from(POSTS),
    body=bodies,
    key=mostly(st.none(), header_text),
    content_type=st.sampled_from(["application/json"] * 8 + ["text/plain", "application/json; charset=utf-8"]),
)
async def test_no_body_produces_a_5xx_and_only_accepted_grades_are_recorded(
    api: Api,
    accepted: set[tuple[str, uuid.UUID]],
    path: str,
    body: Any,
    key: str | None,
    content_type: str,
) -> None:
    headers = {"Content-Type": content_type}
    if key is not None:
        headers["Idempotency-Key"] = key
    raw = json.dumps(body)  # NaN and Infinity go out as bare literals, as some clients send them
    reply = await api.send("POST", path, data=raw.encode(), headers=headers)

    event(f"status {reply.status}")
    if reply.status == 200:
        assert reply.content_type == "application/json"
        assert reply.body["result"] == "queued"
        kind = "task" if path.endswith("/task/grade") else "course"
        accepted.add((kind, uuid.UUID(reply.body["event_id"])))
    else:
        # 422: a key (Idempotency-Key or event_id) an earlier example used for another grade
        assert reply.status in {400, 415, 422}, reply.body
        assert reply.content_type == PROBLEM_JSON
        assert reply.body["status"] == reply.status
        if reply.status == 400:
            assert reply.body["errors"], reply.body
            assert all(e["field"] and e["message"] for e in reply.body["errors"])
    assert recorded(api) == accepted


@forgiving
@given(
    template=st.sampled_from(
        [
            "/stats/student/{a}/course/{b}",
            "/stats/student/{a}/average",
            "/stats/course/{a}/average",
            "/stats/student/{a}/course/{b}/task/average",
            "/stats/course/{a}/task/{b}/averages",
            "/stats/course/{a}/on_time_percentage",
            "/stats/course/{a}/student/{b}/on_time_percentage",
        ]
    ),
    a=st.sampled_from([ANA, "c1"]) | st.text(min_size=1, max_size=12),
    b=st.sampled_from([ANA, "c1", "t1"]) | st.text(min_size=1, max_size=12),
    query=st.fixed_dictionaries(
        {},
        optional={
            "start_date": st.dates().map(str) | st.text(max_size=12),
            "end_date": st.dates().map(str) | st.text(max_size=12),
            "group_by": st.sampled_from(["day", "week", "month", "quarter", "year"])
            | st.text(max_size=8),
        },
    ),
)
async def test_no_read_produces_a_5xx(
    api: Api, template: str, a: str, b: str, query: dict[str, str]
) -> None:
    path = template.format(a=quote(a, safe=""), b=quote(b, safe=""))
    reply = await api.send("GET", path, params=query)
    if reply.status == 200:
        assert reply.content_type == "application/json"
    else:
        assert reply.status in {400, 404}, (path, query, reply.body)
        assert reply.content_type == PROBLEM_JSON
        assert reply.body["status"] == reply.status
