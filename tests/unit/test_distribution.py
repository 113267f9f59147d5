"""The order statistics: fixed cases worked by hand, and properties against analytics_oracle."""

from decimal import Decimal
from fractions import Fraction

import analytics_oracle as oracle
import pytest
from grade_oracle import rounded
from hypothesis import given
from hypothesis import strategies as st

from domain.distribution import (
    Spread,
    competition_ranks,
    histogram,
    is_declining,
    percentiles_below,
    population_std_dev,
    quantile,
)
from domain.statistics import round2


def d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


class TestQuantile:
    def test_interpolates_between_closest_ranks(self) -> None:
        # numpy.quantile([1, 2, 3, 4], [.25, .5, .75]) == [1.75, 2.5, 3.25]
        values = d("1", "2", "3", "4")
        assert [quantile(values, Decimal(q)) for q in ("0.25", "0.5", "0.75")] == d(
            "1.75", "2.5", "3.25"
        )

    def test_one_value_is_every_quantile(self) -> None:
        assert quantile(d("7"), Decimal("0.75")) == 7

    def test_is_exact_for_digits_a_working_precision_would_drop(self) -> None:
        # A quarter of the way from 0 to 0.02 - 4E-40 is 0.005 - 1E-40: it rounds to 0.00; kept
        # to 28 digits it would be 0.005 and round up to 0.01.
        value = quantile(d("0", "0.0199999999999999999999999999999999999996"), Decimal("0.25"))
        assert Fraction(value) == Fraction("0.005") - Fraction("1e-40")
        assert round2(value) == Decimal("0.00")

    def test_no_values_is_an_error(self) -> None:
        with pytest.raises(ValueError):
            quantile([], Decimal("0.5"))


class TestStdDev:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (["5"], "0.00"),
            (["2", "4", "4", "4", "5", "5", "7", "9"], "2.00"),  # the textbook example
            (["0", "0.25"], "0.13"),  # exactly 0.125: half up
            (["0", "10"], "5.00"),
            (["1", "2", "3"], "0.82"),  # sqrt(2/3) = 0.8165
        ],
    )
    def test_population_std_dev_rounded_half_up(self, values: list[str], expected: str) -> None:
        assert str(population_std_dev(d(*values))) == expected

    @given(st.lists(st.decimals(min_value=0, max_value=10, places=4), min_size=1, max_size=30))
    def test_matches_the_oracle(self, values: list[Decimal]) -> None:
        assert float(population_std_dev(values)) == oracle.std_dev([Fraction(v) for v in values])


class TestHistogram:
    def test_bins_are_half_open_and_ten_falls_in_the_last(self) -> None:
        counts = histogram(d("0", "0.99", "1", "4.5", "8.999", "9", "9.5", "10"))
        assert counts == [2, 1, 0, 0, 1, 0, 0, 0, 1, 3]


class TestRanks:
    def test_ties_share_a_rank_and_the_next_rank_skips(self) -> None:
        assert competition_ranks(d("7", "9", "7", "5")) == [2, 1, 2, 4]

    def test_percentile_is_the_share_strictly_below(self) -> None:
        assert percentiles_below(d("7", "9", "7", "5")) == d("25.00", "75.00", "25.00", "0.00")
        assert percentiles_below(d("1", "2", "3")) == d("0.00", "33.33", "66.67")


class TestDeclining:
    @pytest.mark.parametrize(
        ("grades", "expected"),
        [
            (["9", "8", "7"], True),
            (["3", "9", "8", "7"], True),  # only the last three count
            (["9", "8", "8"], False),  # equal is not lower
            (["9", "9", "8"], False),
            (["8", "7"], False),  # fewer than three
            (["7", "8", "7"], False),
        ],
    )
    def test_last_three_each_lower(self, grades: list[str], expected: bool) -> None:
        assert is_declining(d(*grades)) is expected


@given(st.lists(
    st.one_of(
        st.decimals(min_value=0, max_value=10, places=3),
        st.sampled_from(d("0", "0.005", "9.995", "10", "1E-20")),
    ),
    min_size=1,
    max_size=40,
))
def test_spread_matches_the_oracle(values: list[Decimal]) -> None:
    spread = Spread.of(values)
    wanted = oracle.spread([Fraction(v) for v in values])
    assert {
        "average": float(spread.mean),
        "min": float(spread.minimum),
        "max": float(spread.maximum),
        "median": float(spread.median),
        "first_quartile": float(spread.first_quartile),
        "third_quartile": float(spread.third_quartile),
        "std_dev": float(spread.std_dev),
        "histogram": spread.histogram,
    } == wanted
    assert spread.count == len(values)
    assert rounded(min(Fraction(v) for v in values)) <= float(spread.median) <= float(
        spread.maximum
    )
