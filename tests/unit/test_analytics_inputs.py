"""The analytics parameters and the batch body: every bad value named by its field."""

import uuid

import pytest
from analytics_service import Analytics
from grade_input import at_risk_query, students_query
from hypothesis import given
from hypothesis import strategies as st

from application.queries import (
    MAX_PAGE_SIZE,
    SortOrder,
    StudentsCursor,
    StudentSort,
    parse_cursor,
)
from domain.errors import InvalidInput
from entrypoints.http.schemas import MAX_BATCH_SIZE


def fields(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.field for e in error.value.errors]


class TestStudentsQuery:
    def test_defaults(self) -> None:
        query = students_query("math")
        assert (query.sort, query.order, query.limit, query.after) == (
            StudentSort.AVERAGE, SortOrder.DESC, 50, None
        )
        assert students_query("math", sort="student_id").order is SortOrder.ASC

    def test_every_bad_parameter_is_named(self) -> None:
        with pytest.raises(InvalidInput) as error:
            students_query("no way", sort="name", order="up", limit="0", cursor="%%")
        assert fields(error) == ["course_id", "sort", "order", "limit", "cursor"]

    @pytest.mark.parametrize("limit", ["0", "501", "-1", "1.5", "ten", " 5", True, 10**9])
    def test_limit_is_1_to_500(self, limit: object) -> None:
        with pytest.raises(InvalidInput) as error:
            students_query("math", limit=limit)
        assert fields(error) == ["limit"]

    @pytest.mark.parametrize("limit", ["1", "500", 42])
    def test_limit_in_range(self, limit: object) -> None:
        assert 1 <= students_query("math", limit=limit).limit <= MAX_PAGE_SIZE

    @given(st.text(max_size=60))
    def test_any_string_is_a_cursor_or_named_as_bad(self, raw: str) -> None:
        try:
            parse_cursor(raw)
        except InvalidInput as error:
            assert [e.field for e in error.errors] == ["cursor"]

    def test_a_cursor_round_trips(self) -> None:
        cursor = StudentsCursor(StudentSort.ON_TIME_PERCENTAGE, SortOrder.ASC, "33.33",
                                uuid.UUID(int=7))
        assert parse_cursor(cursor.encode()) == cursor


class TestAtRiskQuery:
    def test_defaults(self) -> None:
        query = at_risk_query("math")
        assert (query.grade_below, query.on_time_below, query.declining) == (4, 60, True)

    @pytest.mark.parametrize("text", ["4e0", "0.4E1", "4.000"])
    def test_a_number_may_have_an_exponent_as_the_document_says(self, text: str) -> None:
        assert at_risk_query("math", grade_below=text).grade_below == 4

    def test_values_from_a_query_string(self) -> None:
        query = at_risk_query("math", grade_below="5.5", on_time_below="75", declining="false")
        assert (float(query.grade_below), float(query.on_time_below), query.declining) == (
            5.5, 75.0, False
        )

    @pytest.mark.parametrize(
        ("params", "bad"),
        [
            ({"grade_below": "11"}, ["grade_below"]),
            ({"grade_below": "-1"}, ["grade_below"]),
            ({"grade_below": "NaN"}, ["grade_below"]),
            ({"on_time_below": "101"}, ["on_time_below"]),
            ({"on_time_below": "x"}, ["on_time_below"]),
            ({"declining": "maybe"}, ["declining"]),
            ({"grade_below": "x", "on_time_below": "x", "declining": "x"},
             ["grade_below", "on_time_below", "declining"]),
        ],
    )
    def test_bad_values_are_named(self, params: dict[str, str], bad: list[str]) -> None:
        with pytest.raises(InvalidInput) as error:
            at_risk_query("math", **params)
        assert fields(error) == bad


def good(n: int = 0) -> dict[str, object]:
    return {"kind": "task_grade", "student_id": str(uuid.UUID(int=n + 1)), "course_id": "math",
            "task_id": "hw1", "grade": 7.5, "graded_at": "2026-01-02T10:00:00+02:00"}


class TestBatch:
    async def test_a_valid_batch_is_queued_whole(self) -> None:
        service = Analytics()
        events = [good(n) for n in range(3)] + [
            {"kind": "course_grade", "student_id": str(uuid.UUID(int=9)), "course_id": "math",
             "grade": 10, "on_time": False}
        ]
        accepted = await service.batch({"events": events})
        assert accepted.count == 4 and len(accepted.event_ids) == 4
        assert [e.event_id for e in service.queue.pending] == accepted.event_ids

    async def test_one_bad_event_rejects_the_batch_and_names_every_bad_field(self) -> None:
        service = Analytics()
        events: list[object] = [
            good(0),
            {**good(1), "grade": 11},
            {**good(2), "kind": "exam"},
            {**good(3), "student_id": "ana", "on_time": "yes"},
            "not an object",
            {**good(5), "grade": True, "graded_at": "yesterday"},
            {"kind": "task_grade", "course_id": "math", "grade": 5},
            {**good(7), "event_id": "42", "graded_at": "2999-01-01T00:00:00Z"},
        ]
        with pytest.raises(InvalidInput) as error:
            await service.batch({"events": events})
        # a bad shape hides no bad value: events[3] and [7] name both of their faults
        assert fields(error) == [
            "events[1].grade",
            "events[2].kind",
            "events[3].student_id",
            "events[3].on_time",
            "events[4].kind",
            "events[5].grade",
            "events[5].graded_at",
            "events[6].student_id",
            "events[6].task_id",
            "events[7].graded_at",
            "events[7].event_id",
        ]
        assert service.queue.pending == []

    async def test_a_missing_field_hides_no_bad_value(self) -> None:
        service = Analytics()
        bad = {"kind": "task_grade", "student_id": "x", "grade": 11}
        with pytest.raises(InvalidInput) as error:
            await service.batch({"events": [good(0), bad]})
        assert fields(error) == [
            "events[1].student_id", "events[1].course_id", "events[1].task_id", "events[1].grade"
        ]
        assert service.queue.pending == []

    async def test_a_null_on_time_is_refused_and_a_missing_one_is_true(self) -> None:
        service = Analytics()
        with pytest.raises(InvalidInput) as error:
            await service.batch({"events": [{**good(0), "on_time": None}]})
        assert [(e.field, e.message) for e in error.value.errors] == [
            ("events[0].on_time", "must be true or false")
        ]
        await service.batch({"events": [good(1)]})
        [event] = service.queue.pending
        assert event.on_time is True  # type: ignore[union-attr]

    async def test_domain_rules_are_named_by_index_too(self) -> None:
        service = Analytics()
        with pytest.raises(InvalidInput) as error:
            await service.batch({"events": [good(0), {**good(1), "student_id": "ana"},
                                            {**good(2), "graded_at": "2999-01-01T00:00:00Z"}]})
        assert fields(error) == ["events[1].student_id", "events[2].graded_at"]
        assert service.queue.pending == []

    @pytest.mark.parametrize("body", [{}, {"events": {}}, {"events": []}])
    async def test_the_body_needs_a_list_of_events(self, body: object) -> None:
        with pytest.raises(InvalidInput) as error:
            await Analytics().batch(body)
        assert fields(error) == ["events"]

    @pytest.mark.parametrize("body", [None, [], "events"])
    async def test_the_body_is_an_object(self, body: object) -> None:
        with pytest.raises(InvalidInput) as error:
            await Analytics().batch(body)
        assert [(e.field, e.message) for e in error.value.errors] == [
            ("body", "must be a JSON object")
        ]

    async def test_at_most_10000_events(self) -> None:
        service = Analytics()
        accepted = await service.batch({"events": [good(n) for n in range(MAX_BATCH_SIZE)]})
        assert accepted.count == MAX_BATCH_SIZE
        with pytest.raises(InvalidInput) as error:
            await service.batch({"events": [good(n) for n in range(MAX_BATCH_SIZE + 1)]})
        assert fields(error) == ["events"]

    async def test_duplicate_event_ids_count_once_within_and_across_batches(self) -> None:
        service = Analytics()
        same = {**good(0), "event_id": str(uuid.UUID(int=99)), "kind": "course_grade"}
        del same["task_id"]
        await service.batch({"events": [same, same]})
        await service.batch({"events": [same]})
        assert await service.deliver() == 3
        assert len(service.database.course_grades) == 1
