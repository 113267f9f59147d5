"""The order statistics: fixed cases worked by hand, and properties against analytics_oracle."""

import functools
from decimal import Decimal
from fractions import Fraction

import analytics_oracle as oracle
import pytest
from grade_oracle import rounded, share
from hypothesis import given
from hypothesis import strategies as st

from domain.distribution import (
    Spread,
    SpreadFacts,
    cents_ceiling,
    histogram,
    is_declining,
    population_std_dev,
    quartile_ranks,
    rank_among,
    rounding_interval,
    share_below,
)
from domain.statistics import (
    average,
    average_cents,
    exact_sum,
    from_cents,
    percentage,
    percentage_cents,
)


def d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


# Grades as the API takes them: any float's shortest form (down to 5E-324) or a short decimal.
grades = st.one_of(
    st.decimals(min_value=0, max_value=10, places=3),
    st.floats(min_value=0, max_value=10).map(lambda f: Decimal(repr(f))),
    st.sampled_from(d("0", "0.005", "9.995", "10", "1E-20", "5E-324", "9.999999999999998")),
)


class TestQuartiles:
    def test_interpolates_between_closest_ranks(self) -> None:
        # numpy.quantile([1, 2, 3, 4], [.25, .5, .75]) == [1.75, 2.5, 3.25]
        spread = Spread.of(d("4", "2", "1", "3"))
        assert (spread.first_quartile, spread.median, spread.third_quartile) == (175, 250, 325)

    def test_one_value_is_every_quantile(self) -> None:
        spread = Spread.of(d("7"))
        assert (spread.minimum, spread.first_quartile, spread.median, spread.third_quartile,
                spread.maximum, spread.std_dev) == (700, 700, 700, 700, 700, 0)

    def test_all_equal_values(self) -> None:
        spread = Spread.of(d(*["6.125"] * 1001))
        assert (spread.mean, spread.minimum, spread.median, spread.maximum, spread.std_dev) == (
            613, 613, 613, 613, 0
        )
        assert spread.histogram == [0, 0, 0, 0, 0, 0, 1001, 0, 0, 0]

    def test_is_exact_for_digits_a_working_precision_would_drop(self) -> None:
        # A quarter of the way from 0 to 0.02 - 4E-40 is 0.005 - 1E-40: it rounds to 0.00; kept
        # to 28 digits it would be 0.005 and round up to 0.01.
        spread = Spread.of(d("0", "0.0199999999999999999999999999999999999996"))
        assert spread.first_quartile == 0
        assert spread.third_quartile == 1  # 0.015 - 3E-40

    def test_half_a_cent_rounds_up(self) -> None:
        # q1 of (0, 0.02) is exactly 0.005
        assert Spread.of(d("0", "0.02")).first_quartile == 1

    @pytest.mark.parametrize(
        ("count", "ranks"),
        [
            (1, (0, 0, 0, 0, 0, 0, 0, 0)),
            (2, (0, 0, 1, 0, 1, 0, 1, 1)),
            (3, (0, 0, 1, 1, 2, 1, 2, 2)),
            (4, (0, 0, 1, 1, 2, 2, 3, 3)),
            (5, (0, 1, 2, 2, 3, 3, 4, 4)),
            (228, (0, 56, 57, 113, 114, 170, 171, 227)),
        ],
    )
    def test_quartile_ranks(self, count: int, ranks: tuple[int, ...]) -> None:
        assert quartile_ranks(count) == ranks


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

    def test_many_values(self) -> None:
        # 0 and 10, 5000 each: exactly 5
        assert str(population_std_dev(d(*["0", "10"] * 5000))) == "5.00"

    @given(st.lists(st.decimals(min_value=0, max_value=10, places=4), min_size=1, max_size=30))
    def test_matches_the_oracle(self, values: list[Decimal]) -> None:
        assert float(population_std_dev(values)) == oracle.std_dev([Fraction(v) for v in values])


class TestHistogram:
    def test_bins_are_half_open_and_ten_falls_in_the_last(self) -> None:
        counts = histogram(d("0", "0.99", "1", "4.5", "8.999", "9", "9.5", "10"))
        assert counts == [2, 1, 0, 0, 1, 0, 0, 0, 1, 3]


class TestRanks:
    def test_ties_share_a_rank_and_the_next_rank_skips(self) -> None:
        ordered = [5, 7, 7, 9]
        assert [rank_among(ordered, s) for s in (7, 9, 7, 5)] == [2, 1, 2, 4]

    def test_percentile_is_the_share_strictly_below(self) -> None:
        ordered = [5, 7, 7, 9]
        assert [share_below(ordered, s) for s in (7, 9, 7, 5)] == [2500, 7500, 2500, 0]
        assert [share_below([1, 2, 3], s) for s in (1, 2, 3)] == [0, 3333, 6667]

    @given(st.lists(st.integers(0, 1000), min_size=1, max_size=50), st.data())
    def test_match_counting(self, scores: list[int], data: st.DataObject) -> None:
        ordered = sorted(scores)
        mine = data.draw(st.sampled_from(scores))
        assert rank_among(ordered, mine) == 1 + len([s for s in scores if s > mine])
        assert from_cents(share_below(ordered, mine)) == percentage(
            len([s for s in scores if s < mine]), len(scores)
        )


class TestCents:
    @given(st.lists(grades, min_size=1, max_size=20))
    def test_average_cents_is_the_shown_average(self, values: list[Decimal]) -> None:
        total = sum((Fraction(v) for v in values), Fraction(0))
        exact_total = Decimal(0)
        for v in values:
            exact_total = exact_sum(exact_total, v)
        cents = average_cents(exact_total, len(values))
        assert cents / 100 == rounded(total / len(values))
        assert from_cents(cents) == average(exact_total, len(values))

    @given(st.integers(0, 10_000), st.integers(1, 10_000))
    def test_percentage_cents(self, part: int, whole: int) -> None:
        assert percentage_cents(part, whole) / 100 == share(part, whole)
        assert from_cents(percentage_cents(part, whole)) == percentage(part, whole)

    @given(st.integers(0, 1000), st.lists(grades, min_size=1, max_size=10))
    def test_rounding_interval_bounds_the_averages_that_round_to_it(
        self, cents: int, values: list[Decimal]
    ) -> None:
        low, high = rounding_interval(cents)
        mean = sum((Fraction(v) for v in values), Fraction(0)) / len(values)
        shown = Fraction(f"{rounded(mean):.2f}") * 100
        assert (shown > cents) == (mean >= Fraction(high))
        assert (shown < cents) == (mean < Fraction(low))

    @given(st.decimals(min_value=0, max_value=100, allow_nan=False), st.integers(-10, 10_010))
    def test_cents_ceiling(self, value: Decimal, cents: int) -> None:
        assert (cents < cents_ceiling(value)) == (Fraction(cents, 100) < Fraction(value))

    def test_from_cents_is_exact(self) -> None:
        assert str(from_cents(735)) == "7.35"
        assert Fraction(from_cents(10**40 + 1)) == Fraction(10**40 + 1, 100)


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


def as_shown(spread: Spread) -> dict[str, object]:
    return {
        "average": spread.mean / 100,
        "min": spread.minimum / 100,
        "max": spread.maximum / 100,
        "median": spread.median / 100,
        "first_quartile": spread.first_quartile / 100,
        "third_quartile": spread.third_quartile / 100,
        "std_dev": spread.std_dev / 100,
        "histogram": spread.histogram,
    }


@given(st.lists(grades, min_size=1, max_size=40))
def test_spread_matches_the_oracle(values: list[Decimal]) -> None:
    spread = Spread.of(values)
    assert as_shown(spread) == oracle.spread([Fraction(v) for v in values])
    assert spread.count == len(values)
    assert rounded(min(Fraction(v) for v in values)) <= spread.median / 100 <= spread.maximum / 100


# A student's grades: the count and exact sum of each student's current task grades.
tallies = st.lists(grades, min_size=1, max_size=12).map(
    lambda own: (len(own), functools.reduce(exact_sum, own, Decimal(0)))
)


class TestSpreadOfAverages:
    """The spread of students' averages is computed from the exact averages, rounded once."""

    def test_the_median_of_5_and_7_1666_is_6_08(self) -> None:
        # 43 / 6 = 7.1666... shows as 7.17; (5 + 7.1666...) / 2 = 6.0833... shows as 6.08, where
        # the median of the shown figures, (5 + 7.17) / 2 = 6.085, would show as 6.09.
        spread = Spread.from_facts(SpreadFacts.of_averages([(1, Decimal(5)), (6, Decimal(43))]))
        assert (spread.median, spread.mean, spread.minimum, spread.maximum) == (608, 608, 500, 717)

    def test_an_average_shown_as_9_falls_in_the_bin_of_its_exact_value(self) -> None:
        facts = SpreadFacts.of_averages([(3, Decimal("26.99"))])  # 8.9966..., shown as 9.00
        assert facts.histogram == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
        assert Spread.from_facts(facts).maximum == 900

    def test_the_order_of_the_students_does_not_matter(self) -> None:
        rows = [(3, Decimal("21.5")), (1, Decimal(5)), (7, Decimal("69.993"))]
        assert SpreadFacts.of_averages(rows) == SpreadFacts.of_averages(rows[::-1])

    def test_no_students_is_an_error(self) -> None:
        with pytest.raises(ValueError):
            SpreadFacts.of_averages([])

    @given(st.lists(tallies, min_size=1, max_size=60))
    def test_matches_the_oracle_on_the_exact_averages(self, rows: list[tuple[int, Decimal]]) -> None:
        averages = [Fraction(total) / count for count, total in rows]
        spread = Spread.from_facts(SpreadFacts.of_averages(rows))
        assert as_shown(spread) == oracle.spread(averages)
        assert spread.count == len(rows)

    @given(st.lists(grades, min_size=1, max_size=40))
    def test_averages_of_one_grade_are_the_spread_of_the_grades(self, values: list[Decimal]) -> None:
        assert as_shown(Spread.from_facts(SpreadFacts.of_averages([(1, v) for v in values]))) == (
            as_shown(Spread.of(values))
        )


@given(st.lists(grades, min_size=1, max_size=400))
def test_spread_of_many_values_matches_the_oracle(values: list[Decimal]) -> None:
    """Counts of every remainder mod 4, so each quartile's interpolation weight comes up."""
    assert as_shown(Spread.of(values)) == oracle.spread([Fraction(v) for v in values])

