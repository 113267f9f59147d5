from decimal import Decimal
from fractions import Fraction

import pytest
from grade_oracle import rounded
from hypothesis import given
from hypothesis import strategies as st

from domain.statistics import (
    Tally,
    as_number,
    average,
    average_number,
    percentage,
    percentage_number,
    round2,
)
from domain.values import parse_grade


def tally_of(*grades: float | str, on_time: int | None = None) -> Tally:
    tally = Tally()
    for index, grade in enumerate(grades):
        # any places: the math also serves grades stored before the API limited them
        value = Decimal(grade) if isinstance(grade, str) else parse_grade(grade, max_places=None)
        tally = tally.add(value, on_time is None or index < on_time)
    return tally


class TestRounding:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2.675", "2.68"),  # the float 2.675 would round down; the decimal rounds up
            ("2.665", "2.67"),  # half up, not half even
            ("2.655", "2.66"),
            ("0.005", "0.01"),
            ("0.0049999", "0.00"),
            ("9.995", "10.00"),
            ("7", "7.00"),
        ],
    )
    def test_round2_is_half_up_on_the_decimal(self, value: str, expected: str) -> None:
        assert str(round2(Decimal(value))) == expected

    def test_mean_of_three_grades_summing_to_a_half_cent(self) -> None:
        # 1.005 + 1.005 + 1.005 = 3.015; the mean 1.005 rounds up. In floats it is 1.0049999...
        assert average(Decimal("3.015"), 3) == Decimal("1.01")
        assert tally_of(1.005, 1.005, 1.005).average == Decimal("1.01")
        assert tally_of(0.5, 1.0, 1.515).average == Decimal("1.01")  # 3.015 / 3
        assert tally_of(10, 5.03, 0).average == Decimal("5.01")  # 15.03 / 3 = 5.01 exactly

    def test_a_mean_just_below_a_half_cent_rounds_down(self) -> None:
        # 10 + 5.014999999999999 + 9.99999999999999e-16 is 1e-30 short of 15.015: the mean is
        # 5.00499...; a sum rounded to 28 digits would say 15.015 and round the mean up
        assert tally_of(10.0, 5.014999999999999, 9.99999999999999e-16).average == Decimal("5.00")

    def test_a_tiny_grade_is_not_lost_from_the_sum(self) -> None:
        # 5e-324 is the smallest float; a 28-digit sum would drop it and say 0.005 exactly
        total = tally_of(0.01, 0.0, 5e-324).total
        assert Fraction(total) == Fraction(1, 100) + Fraction(Decimal("5E-324"))
        assert average(total, 2) == Decimal("0.01")
        just_below = Decimal("0.00" + "9" * 330)  # 0.01 - 1e-332, written out exactly
        assert average(just_below, 2) == Decimal("0.00")

    def test_repeating_quotients(self) -> None:
        assert average(Decimal(10), 3) == Decimal("3.33")
        assert average(Decimal(20), 3) == Decimal("6.67")
        assert average(Decimal(0), 7) == Decimal("0.00")

    def test_no_values_have_no_average(self) -> None:
        assert average(Decimal(0), 0) is None
        assert Tally().average is None

    @given(
        st.lists(st.decimals(min_value=0, max_value=10, places=3), min_size=1, max_size=12)
    )
    def test_average_matches_exact_half_up(self, grades: list[Decimal]) -> None:
        tally = Tally()
        for g in grades:
            tally = tally.add(g, True)
        expected = rounded(sum((Fraction(g) for g in grades), Fraction(0)) / len(grades))
        assert as_number(tally.average) == expected

    @given(st.lists(st.floats(min_value=0, max_value=10), min_size=1, max_size=8))
    def test_min_le_mean_le_max(self, grades: list[float]) -> None:
        tally = tally_of(*grades)
        mean = tally.average
        assert mean is not None
        assert round2(min(Decimal(repr(g)) for g in grades)) <= mean
        assert mean <= round2(max(Decimal(repr(g)) for g in grades))


class TestPercentage:
    @pytest.mark.parametrize(
        ("part", "whole", "expected"),
        [(1, 3, "33.33"), (2, 3, "66.67"), (1, 8, "12.50"), (1, 200, "0.50"), (1, 400, "0.25"),
         (1, 800, "0.13"), (0, 5, "0.00"), (5, 5, "100.00"), (1, 7, "14.29")],
    )
    def test_share_in_0_to_100_half_up(self, part: int, whole: int, expected: str) -> None:
        assert percentage(part, whole) == Decimal(expected)

    def test_nothing_counted_has_no_percentage(self) -> None:
        assert percentage(0, 0) is None
        assert Tally().on_time_percentage is None
        assert percentage_number(0, 0) is None
        assert Tally().on_time_percentage_number is None

    @given(st.integers(0, 10_000), st.integers(1, 10_000))
    def test_matches_exact_half_up(self, part: int, extra: int) -> None:
        whole = part + extra
        assert as_number(percentage(part, whole)) == rounded(Fraction(100 * part, whole))
        assert percentage_number(part, whole) == as_number(percentage(part, whole))
        assert Tally(whole, Decimal(0), part).on_time_percentage_number == percentage_number(part, whole)


class TestTally:
    def test_counts_sums_and_on_time(self) -> None:
        tally = tally_of(7.5, 8.25, 3, on_time=2)
        assert (tally.count, tally.total, tally.on_time) == (3, Decimal("18.75"), 2)
        assert tally.average == Decimal("6.25")
        assert tally.on_time_percentage == Decimal("66.67")

    def test_tallies_add_up(self) -> None:
        both = tally_of(1, 2, on_time=1) + tally_of(3.5, on_time=0)
        assert both == Tally(3, Decimal("6.5"), 1)

    def test_empty_is_the_identity(self) -> None:
        tally = tally_of(4, 6)
        assert tally + Tally() == tally == Tally() + tally
        assert Tally.of_all([]) == Tally()

    @given(st.lists(st.tuples(st.integers(0, 3), st.decimals(0, 10, places=30), st.booleans())))
    def test_of_all_is_the_exact_sum(self, parts: list[tuple[int, Decimal, bool]]) -> None:
        tallies = [Tally(count, total, int(on_time)) for count, total, on_time in parts]
        expected = sum(tallies, Tally())
        assert Tally.of_all(iter(tallies)) == expected
        assert Fraction(expected.total) == sum((Fraction(t.total) for t in tallies), Fraction(0))


class TestAsNumber:
    def test_the_float_prints_as_the_two_decimal_value(self) -> None:
        assert as_number(Decimal("5.01")) == 5.01
        assert repr(as_number(Decimal("0.10"))) == "0.1"
        assert as_number(None) is None


@given(
    st.decimals(min_value=0, max_value=10**7, allow_nan=False, allow_infinity=False, places=None),
    st.integers(1, 10**6),
)
def test_the_shown_average_is_the_rounded_decimal_as_a_float(total: Decimal, count: int) -> None:
    assert average_number(total, count) == as_number(average(total, count))
    assert average_number(total, 0) is None
