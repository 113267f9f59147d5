import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import event_codec
from domain.events import CourseGraded, GradeEvent, TaskGraded

STUDENT = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
EVENT = uuid.UUID("0b9d6f0a-54f5-4d3c-9a49-2a2d8c2f1e11")
T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)

ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)
grades = st.one_of(
    st.decimals(min_value=0, max_value=10, places=4),
    st.floats(min_value=0, max_value=10).map(lambda f: Decimal(repr(f)) + 0),
)
course_events = st.builds(
    CourseGraded, st.uuids(), st.uuids(), ids, grades, st.booleans(), moments, moments
)
task_events = st.builds(
    TaskGraded, st.uuids(), st.uuids(), ids, ids, grades, st.booleans(), moments, moments
)


def message(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "task_grade",
        "event_id": str(EVENT),
        "student_id": str(STUDENT),
        "course_id": "c1",
        "task_id": "t1",
        "grade": "7.25",
        "on_time": False,
        "graded_at": "2025-03-01T10:00:00+00:00",
        "accepted_at": "2025-03-01T10:00:05+00:00",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def test_a_task_message_decodes_to_its_event() -> None:
    [event] = event_codec.decode([message()])
    assert event == TaskGraded(
        EVENT, STUDENT, "c1", "t1", Decimal("7.25"), False, T0, T0 + timedelta(seconds=5)
    )


def test_a_course_message_decodes_to_its_event() -> None:
    [event] = event_codec.decode([message(kind="course_grade", task_id=...)])
    assert isinstance(event, CourseGraded)
    assert (event.course_id, event.grade, event.on_time) == ("c1", Decimal("7.25"), False)


def test_encoding_is_plain_json_with_exact_decimal_grades() -> None:
    event = CourseGraded(EVENT, STUDENT, "c1", Decimal("9.995"), True, T0, T0)
    [encoded] = event_codec.encode([event])
    assert encoded == {
        "kind": "course_grade",
        "event_id": str(EVENT),
        "student_id": str(STUDENT),
        "course_id": "c1",
        "grade": "9.995",
        "on_time": True,
        "graded_at": "2025-03-01T10:00:00+00:00",
        "accepted_at": "2025-03-01T10:00:00+00:00",
    }
    assert json.loads(json.dumps(encoded)) == encoded


@given(st.lists(st.one_of(course_events, task_events), max_size=5))
def test_round_trip_through_json(events: list[GradeEvent]) -> None:
    wire = json.loads(json.dumps(event_codec.encode(events)))
    decoded = event_codec.decode(wire)
    assert decoded == events
    for before, after in zip(events, decoded, strict=True):
        assert type(before) is type(after)
        assert str(before.grade) == str(after.grade)
        assert after.graded_at.utcoffset() == before.graded_at.utcoffset()


@pytest.mark.parametrize(
    ("corruption", "why"),
    [
        ({"kind": "exam_grade"}, "unknown kind"),
        ({"kind": ...}, "no kind"),
        ({"event_id": "not-a-uuid"}, "bad event id"),
        ({"student_id": 42}, "student id not a UUID"),
        ({"course_id": "no spaces allowed"}, "course id breaks the id rule"),
        ({"course_id": ""}, "empty course id"),
        ({"task_id": "x" * 65}, "task id too long"),
        ({"task_id": ...}, "task grade without a task"),
        ({"grade": "10.5"}, "grade above 10"),
        ({"grade": "-1"}, "grade below 0"),
        ({"grade": "NaN"}, "NaN grade"),
        ({"grade": "Infinity"}, "infinite grade"),
        ({"grade": "seven"}, "grade not a number"),
        ({"grade": ...}, "no grade"),
        ({"on_time": "perhaps"}, "on_time not a boolean"),
        ({"graded_at": "yesterday"}, "graded_at not a time"),
        ({"accepted_at": ...}, "no accepted_at"),
        ({"surprise": 1}, "unknown field"),
    ],
)
def test_corrupted_messages_are_rejected_as_value_errors(corruption: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError):
        event_codec.decode([message(), message(**corruption)])


@pytest.mark.parametrize("payload", [None, {}, "[]", [None], [[]], [1], {"events": []}])
def test_payloads_that_are_not_lists_of_messages_are_rejected(payload: object) -> None:
    with pytest.raises(ValueError):
        event_codec.decode(payload)


def test_an_empty_list_is_no_events() -> None:
    assert event_codec.decode([]) == []


@pytest.mark.parametrize("field", ["graded_at", "accepted_at"])
def test_a_time_without_offset_is_rejected(field: str) -> None:
    with pytest.raises(ValueError):
        event_codec.decode([message(**{field: "2025-03-01T10:00:00"})])


@pytest.mark.parametrize("on_time", ["yes", 1, "true"])
def test_on_time_must_be_a_json_boolean(on_time: object) -> None:
    with pytest.raises(ValueError):
        event_codec.decode([message(on_time=on_time)])
