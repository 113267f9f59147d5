import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import FieldError, InvalidInput
from domain.values import (
    parse_course_id,
    parse_event_id,
    parse_grade,
    parse_graded_at,
    parse_moment,
    parse_on_time,
    parse_student_id,
    parse_task_id,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
STUDENT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def field_of(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.field for e in error.value.errors]


class TestStudentId:
    def test_a_uuid_string_is_parsed(self) -> None:
        assert parse_student_id(STUDENT) == uuid.UUID(STUDENT)

    def test_a_uuid_is_kept(self) -> None:
        value = uuid.uuid4()
        assert parse_student_id(value) is value

    def test_upper_case_hex_is_the_same_uuid(self) -> None:
        assert parse_student_id(STUDENT.upper()) == uuid.UUID(STUDENT)

    @pytest.mark.parametrize(
        "raw",
        ["", "42", "not-a-uuid", STUDENT + "0", 42, None, 1.5, True, [],
         # other spellings uuid.UUID reads, which the documented format (uuid) does not allow
         STUDENT.replace("-", ""), "{" + STUDENT + "}", "urn:uuid:" + STUDENT],
    )
    def test_anything_else_is_rejected_naming_the_field(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_student_id(raw)
        assert field_of(error) == ["student_id"]
        assert "UUID" in error.value.errors[0].message

    def test_event_id_reports_its_own_field(self) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_event_id("nope")
        assert field_of(error) == ["event_id"]


class TestSlugIds:
    @pytest.mark.parametrize("raw", ["c", "MATH-101", "a_b", "x" * 64, "0"])
    def test_letters_digits_dash_underscore_up_to_64(self, raw: str) -> None:
        assert parse_course_id(raw) == raw
        assert parse_task_id(raw) == raw

    @pytest.mark.parametrize(
        "raw", ["", "x" * 65, "has space", "semi;colon", "slash/", "ñandú", "tab\t", "a\n", 7, None]
    )
    def test_others_are_rejected(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as course_error:
            parse_course_id(raw)
        with pytest.raises(InvalidInput) as task_error:
            parse_task_id(raw)
        assert field_of(course_error) == ["course_id"]
        assert field_of(task_error) == ["task_id"]

    def test_a_trailing_newline_is_not_let_through(self) -> None:
        # `$`-anchored patterns accept "abc\n"; fullmatch must not
        with pytest.raises(InvalidInput):
            parse_course_id("abc\n")


class TestGrade:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (0, Decimal(0)),
            (10, Decimal(10)),
            (7.3, Decimal("7.3")),  # the float's shortest form, not 7.29999...
            (0.1, Decimal("0.1")),
            (9.995, Decimal("9.995")),
            (Decimal("8.125"), Decimal("8.125")),
            (-0.0, Decimal("0.0")),
        ],
    )
    def test_numbers_from_0_to_10_are_kept_exact(self, raw: object, expected: Decimal) -> None:
        value = parse_grade(raw)
        assert value == expected
        assert str(value) == str(expected)

    def test_negative_zero_is_normalised(self) -> None:
        assert not parse_grade(-0.0).is_signed()

    @pytest.mark.parametrize("raw", [-0.01, 10.01, 11, -1, 1e300, Decimal("10.0000001")])
    def test_out_of_range_is_rejected(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_grade(raw)
        assert error.value.errors == [FieldError("grade", "must be from 0 to 10")]

    @pytest.mark.parametrize(
        "raw", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity"), Decimal("sNaN")]
    )
    def test_non_finite_is_rejected(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_grade(raw)
        assert field_of(error) == ["grade"]
        assert "finite" in error.value.errors[0].message

    @pytest.mark.parametrize("raw", [True, False, "7", None, [7], {"grade": 7}])
    def test_booleans_strings_and_others_are_not_numbers(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_grade(raw)
        assert error.value.errors == [FieldError("grade", "must be a number from 0 to 10")]

    @given(st.floats(min_value=0, max_value=10))
    def test_a_float_in_range_parses_to_its_shortest_decimal_or_names_its_places(
        self, raw: float
    ) -> None:
        shortest = Decimal(repr(raw))
        if shortest % Decimal("0.0001"):
            with pytest.raises(InvalidInput, match="must have at most 4 decimal places"):
                parse_grade(raw)
        else:
            assert parse_grade(raw) == shortest and float(parse_grade(raw)) == raw

    @given(st.decimals(min_value=0, max_value=10, places=4))
    def test_every_grade_of_at_most_4_places_is_kept_exact(self, raw: Decimal) -> None:
        assert parse_grade(raw) == raw

    @pytest.mark.parametrize(
        "raw", ["9.999999999999999999", "5E-324", "0.00001", "1E-999999999", "7.12345"]
    )
    def test_more_than_4_decimal_places_are_refused_not_rounded(self, raw: str) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_grade(Decimal(raw))
        assert error.value.errors == [
            FieldError("grade", "must have at most 4 decimal places")
        ]

    @pytest.mark.parametrize("raw", ["7.50000", "0E-999999", "1E+1", "0.0001"])
    def test_trailing_zeros_and_exponents_do_not_count_as_places(self, raw: str) -> None:
        assert parse_grade(Decimal(raw)) == Decimal(raw)


class TestGradedAt:
    def test_a_past_moment_with_offset_is_kept_as_given(self) -> None:
        moment = datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-3)))
        assert parse_graded_at(moment, NOW) is moment

    def test_up_to_five_minutes_ahead_is_tolerated(self) -> None:
        assert parse_graded_at(NOW + timedelta(minutes=5), NOW) == NOW + timedelta(minutes=5)

    def test_more_than_five_minutes_ahead_is_rejected(self) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_graded_at(NOW + timedelta(minutes=5, microseconds=1), NOW)
        assert error.value.errors == [
            FieldError("graded_at", "must not be more than 5 minutes in the future")
        ]

    def test_the_future_is_judged_by_the_instant_not_the_wall_clock(self) -> None:
        # 15:00 at +04:00 is 11:00 UTC: an hour before NOW, whatever the wall clock says
        east = datetime(2026, 1, 15, 15, 0, tzinfo=timezone(timedelta(hours=4)))
        assert parse_graded_at(east, NOW) == east
        # 11:00 at -02:00 is 13:00 UTC: an hour after NOW
        west = datetime(2026, 1, 15, 11, 0, tzinfo=timezone(timedelta(hours=-2)))
        with pytest.raises(InvalidInput):
            parse_graded_at(west, NOW)

    def test_a_naive_moment_is_rejected(self) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_graded_at(datetime(2025, 1, 1), NOW)
        assert field_of(error) == ["graded_at"]
        assert "offset" in error.value.errors[0].message

    def test_a_moment_with_no_utc_date_is_rejected(self) -> None:
        # 0001-01-01T00:00+01:00 is in year 0 in UTC, which datetime cannot hold
        moment = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
        with pytest.raises(InvalidInput) as error:
            parse_graded_at(moment, NOW)
        assert field_of(error) == ["graded_at"]

    def test_the_field_name_can_be_chosen(self) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_graded_at(datetime(2025, 1, 1), NOW, "created_at")
        assert field_of(error) == ["created_at"]


class TestMoment:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, tzinfo=UTC)),
            ("2025-03-01T13:00:00+03:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),
            ("2025-03-01T10:00:00.250-00:30", datetime(2025, 3, 1, 10, 30, 0, 250000, tzinfo=UTC)),
            ("2025-03-01t10:00:00z", datetime(2025, 3, 1, 10, tzinfo=UTC)),  # RFC 3339 5.6 NOTE
        ],
    )
    def test_rfc_3339_text_is_parsed(self, text: str, expected: datetime) -> None:
        assert parse_moment(text) == expected
        assert parse_graded_at(text, NOW) == expected

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("yesterday", "must be an RFC 3339 time with an offset"),
            ("2025-03-01", "must be an RFC 3339 time with an offset"),
            (1740823200, "must be an RFC 3339 time with an offset"),
            (None, "must be an RFC 3339 time with an offset"),
            ("2025-03-01T10:00:00", "must carry a UTC offset, like 2025-03-01T10:00:00Z"),
            # ISO 8601 forms that are not RFC 3339, which datetime.fromisoformat would take
            ("20250301T100000Z", "must be an RFC 3339 time with an offset"),
            ("2025-03-01T10:00:00+0100", "must be an RFC 3339 time with an offset"),
            ("2025-03-01T10:00Z", "must be an RFC 3339 time with an offset"),
            ("2025-03-01 10:00:00Z", "must be an RFC 3339 time with an offset"),
            ("2025-02-30T10:00:00Z", "must be an RFC 3339 time with an offset"),
            ("0001-01-01T00:00:00+01:00", "must be a moment from year 1 to 9999 in UTC"),
        ],
    )
    def test_anything_else_is_named(self, raw: object, message: str) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_moment(raw, "created_at")
        assert error.value.errors == [FieldError("created_at", message)]

    def test_text_in_the_future_is_rejected_as_graded_at(self) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_graded_at("2026-01-15T12:05:01Z", NOW)
        assert field_of(error) == ["graded_at"]


class TestOnTime:
    @pytest.mark.parametrize("flag", [True, False])
    def test_a_boolean_is_kept(self, flag: bool) -> None:
        assert parse_on_time(flag) is flag

    @pytest.mark.parametrize("raw", [None, 1, 0, "true", "yes", [True]])
    def test_anything_else_is_no_flag(self, raw: object) -> None:
        with pytest.raises(InvalidInput) as error:
            parse_on_time(raw)
        assert error.value.errors == [FieldError("on_time", "must be true or false")]


class TestInvalidInput:
    def test_invalid_input_is_a_value_error(self) -> None:
        # the codec promises ValueError for a bad message, whichever layer finds the fault
        assert isinstance(InvalidInput.one("grade", "bad"), ValueError)
