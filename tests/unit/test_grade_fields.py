"""`command_from_mapping`: a grade of decoded JSON checked in one pass, whichever path it came by
(a single POST, a batch event, an imported row)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.commands import SubmitCourseGrade, SubmitTaskGrade
from application.handlers.submit_grades import command_from_mapping, to_event
from domain.errors import FieldError, InvalidInput

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ANA = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
TASK = {"kind": "task_grade", "student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7}


def errors(raw: object, now: datetime | None = NOW, kind: str | None = None) -> list[FieldError]:
    with pytest.raises(InvalidInput) as error:
        command_from_mapping(raw, now, kind)
    return error.value.errors


def test_a_valid_grade_is_a_command_of_its_values() -> None:
    command = command_from_mapping({**TASK, "extra": [1]}, NOW)
    assert command == SubmitTaskGrade(ANA, "c1", "t1", 7, True, None, None)
    assert type(command.grade) is int  # as given: the event's Decimal is 7, not 7.0


def test_every_missing_and_bad_field_is_named_in_one_pass() -> None:
    raw = {"kind": "task_grade", "student_id": "x", "grade": "a", "on_time": None,
           "graded_at": "2026-01-15T12:05:01Z", "event_id": 42}
    assert errors(raw) == [
        FieldError("student_id", "must be a UUID, like 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        FieldError("course_id", "is required"),
        FieldError("task_id", "is required"),
        FieldError("grade", "must be a number from 0 to 10"),
        FieldError("on_time", "must be true or false"),
        FieldError("graded_at", "must not be more than 5 minutes in the future"),
        FieldError("event_id", "must be a UUID, like 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ]


def test_a_kind_given_by_the_caller_overrides_the_mappings() -> None:
    command = command_from_mapping({**TASK, "kind": "essay"}, NOW, "course_grade")
    assert isinstance(command, SubmitCourseGrade)
    assert [e.field for e in errors({"grade": 5}, kind="task_grade")] == [
        "student_id", "course_id", "task_id"
    ]


def test_optional_fields_may_be_null_but_on_time_may_not() -> None:
    command = command_from_mapping({**TASK, "graded_at": None, "event_id": None}, NOW)
    assert (command.graded_at, command.event_id, command.on_time) == (None, None, True)
    assert errors({**TASK, "on_time": None}) == [FieldError("on_time", "must be true or false")]


def test_created_at_stands_for_graded_at() -> None:
    command = command_from_mapping({**TASK, "created_at": "2025-07-04T12:00:00+09:00"}, NOW)
    assert command.graded_at == datetime(2025, 7, 4, 3, 0, tzinfo=UTC)
    assert [e.field for e in errors({**TASK, "created_at": "soon"})] == ["created_at"]


def test_without_now_the_future_is_left_to_to_event() -> None:
    raw = {**TASK, "graded_at": "2026-01-15T12:05:01Z", "event_id": str(uuid.UUID(int=1))}
    command = command_from_mapping(raw)
    with pytest.raises(InvalidInput) as error:
        to_event(command, NOW)
    assert [e.field for e in error.value.errors] == ["graded_at"]
    assert to_event(command, NOW + timedelta(seconds=2)).event_id == uuid.UUID(int=1)
