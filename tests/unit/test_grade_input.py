"""The grade request models: a grade of decoded JSON read in one pass by the domain's rules,
whichever path it came by (a single POST, a batch event, an imported row)."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pydantic
import pytest

from application.commands import SubmitCourseGrade, SubmitTaskGrade
from domain.errors import FieldError
from entrypoints.http.bodies import decode
from entrypoints.http.problems import field_errors
from entrypoints.http.schemas import GRADE_ITEM, CourseGradeBody, GradeBatchBody

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ANA = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
TASK = {"kind": "task_grade", "student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7}


def read(raw: object, now: datetime | None = NOW) -> SubmitCourseGrade | SubmitTaskGrade:
    return GRADE_ITEM.validate_python(raw, context={"now": now}).to_command()


def errors(raw: object, now: datetime | None = NOW) -> list[FieldError]:
    with pytest.raises(pydantic.ValidationError) as error:
        read(raw, now)
    return field_errors(error.value)


def test_a_valid_grade_is_a_typed_command() -> None:
    assert read(TASK) == SubmitTaskGrade(uuid.UUID(ANA), "c1", "t1", Decimal(7), True, None, None)


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


def test_an_unknown_field_is_named_not_ignored() -> None:
    assert errors({**TASK, "on_tme": False}) == [
        FieldError("on_tme", "is not a documented field or parameter")
    ]


def test_optional_fields_may_be_null_but_on_time_may_not() -> None:
    command = read({**TASK, "graded_at": None, "event_id": None})
    assert (command.graded_at, command.event_id, command.on_time) == (None, None, True)
    assert errors({**TASK, "on_time": None}) == [FieldError("on_time", "must be true or false")]


def test_created_at_stands_for_graded_at_but_not_beside_it() -> None:
    command = read({**TASK, "created_at": "2025-07-04T12:00:00+09:00"})
    assert command.graded_at == datetime(2025, 7, 4, 3, 0, tzinfo=UTC)
    assert [e.field for e in errors({**TASK, "created_at": "soon"})] == ["created_at"]
    both = {**TASK, "graded_at": "2025-07-04T12:00:00Z", "created_at": "2025-07-04T12:00:00Z"}
    assert [e.field for e in errors(both)] == ["created_at"]


def test_without_now_the_future_is_not_judged() -> None:
    raw = {**TASK, "graded_at": "2026-01-15T12:05:01Z"}
    assert read(raw, None).graded_at == datetime(2026, 1, 15, 12, 5, 1, tzinfo=UTC)
    assert read(raw, NOW + timedelta(seconds=2)).graded_at == read(raw, None).graded_at


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9.999999999999999999", "must have at most 4 decimal places"),
        ("5e-324", "must have at most 4 decimal places"),
        ("10.00001", "must be from 0 to 10"),
    ],
)
def test_a_grade_is_read_from_its_text_never_through_a_float(text: str, message: str) -> None:
    raw = decode(f'{{"student_id": "{ANA}", "course_id": "c1", "grade": {text}}}'.encode())
    with pytest.raises(pydantic.ValidationError) as error:
        CourseGradeBody.model_validate(raw, context={"now": NOW})
    assert field_errors(error.value) == [FieldError("grade", message)]


def test_a_grade_of_4_places_is_kept_exact() -> None:
    raw = decode(f'{{"student_id": "{ANA}", "course_id": "c1", "grade": 7.1235}}'.encode())
    grade = CourseGradeBody.model_validate(raw).grade
    assert (type(grade), grade) == (Decimal, Decimal("7.1235"))


def test_batch_errors_are_named_by_index_and_the_kind() -> None:
    body = {"events": [TASK, {**TASK, "grade": 11}, {**TASK, "kind": "exam"}, "x",
                       {**TASK, "extra": 1}], "more": 1}
    with pytest.raises(pydantic.ValidationError) as error:
        GradeBatchBody.model_validate(body, context={"now": NOW})
    assert [e.field for e in field_errors(error.value)] == [
        "events[1].grade", "events[2].kind", "events[3].kind", "events[4].extra", "more"
    ]
