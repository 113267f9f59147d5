"""Order statistics for spreads of grades: quantiles, standard deviation, histograms, ranks.

Every figure is computed exactly and rounded once, half up, to 2 decimals, like the averages in
`domain.statistics`: grades may carry any number of digits (a float's shortest form can be
5E-324), and a value rounded to a working precision first can land on the other side of a half
cent. The arithmetic is on integers: a Decimal is the exact ratio of two integers
(`as_integer_ratio`), and integer sums, products and floor divisions are exact at any size.

A spread is computed from `SpreadFacts` - the count, the exact sum and sum of squares, the
histogram and a few values picked by rank - rather than from every value, so that a database can
aggregate a large set and hand over only those (the ranks are `quartile_ranks(count)`). The values
may also be exact fractions (`Fraction`): the spread of averages is computed from the averages
themselves, never from their rounded figures.
"""

import math
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.statistics import (
    exact_product,
    exact_sum,
    from_cents,
    percentage_cents,
    whole_cents,
)

HISTOGRAM_BINS = 10
QUARTERS = (1, 2, 3)  # the quartiles, in quarters

# An exact value: a grade or a sum of grades (Decimal), or an average (Fraction).
Exact = Decimal | Fraction


def cents_ceiling(value: Decimal) -> int:
    """The least whole number of cents c with c / 100 >= `value`: a figure in whole cents is
    below `value` exactly when it is below c."""
    numerator, denominator = value.as_integer_ratio()
    return -(-numerator * 100 // denominator)


def rounding_interval(cents: int) -> tuple[Decimal, Decimal]:
    """[low, high): the exact non-negative values that round half up to `cents` / 100.

    A mean total / count rounds to more than `cents` exactly when total >= high * count, and to
    less exactly when total < low * count: a database can count those without rounding.
    """
    return Decimal(f"{(2 * cents - 1) * 5}E-3"), Decimal(f"{(2 * cents + 1) * 5}E-3")


def quartile_ranks(count: int) -> tuple[int, ...]:
    """The 0-based ranks (in ascending order of value) of the values a spread of `count` (> 0)
    values needs: the minimum; for each quartile the two closest ranks around its position
    (count - 1) * q, the lower one and the next (the same at the end); the maximum."""
    last = count - 1
    ranks = [0]
    for quarters in QUARTERS:
        lower = last * quarters // 4
        ranks += [lower, min(lower + 1, last)]
    ranks.append(last)
    return tuple(ranks)


def _quantile_cents(count: int, quarters: int, lower: Exact, upper: Exact) -> int:
    """Linear interpolation between closest ranks (numpy's default, R's type 7) at q = quarters/4,
    from the values at the two ranks around the position (quartile_ranks), in cents."""
    weight = (count - 1) * quarters % 4  # the position's fraction, in quarters
    a, b = lower.as_integer_ratio()
    c, d = upper.as_integer_ratio()
    return whole_cents((4 - weight) * a * d + weight * c * b, 4 * b * d)


def std_dev_cents(count: int, total: Exact, total_of_squares: Exact) -> int:
    """The population standard deviation of `count` (> 0) values with the exact sum `total` and
    sum of squares `total_of_squares`, in cents rounded half up on the exact value.

    The variance is the exact fraction (count * squares - total^2) / count^2; its square root is
    rounded with integer square roots: the rounded value is c/100 for the largest c with
    c - 1/2 <= 100*sigma, that is the largest odd 2c - 1 with (2c - 1)^2 <= 40000 * variance.
    """
    p, q = total.as_integer_ratio()
    r, t = total_of_squares.as_integer_ratio()
    numerator = count * r * q * q - p * p * t
    denominator = t * q * q * count * count
    root = math.isqrt(40000 * numerator // denominator)
    odd = root if root % 2 else root - 1
    return (odd + 1) // 2


def population_std_dev(values: Sequence[Decimal]) -> Decimal:
    """The population standard deviation, rounded half up to 2 decimals on the exact value."""
    if not values:
        raise ValueError("standard deviation of no values")
    facts = SpreadFacts.of(values)
    return from_cents(std_dev_cents(facts.count, facts.total, facts.total_of_squares))


def histogram(values: Sequence[Decimal]) -> list[int]:
    """Counts in the bins [0,1), [1,2), ... [9,10]; 10 falls in the last bin."""
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        counts[min(int(value), HISTOGRAM_BINS - 1)] += 1
    return counts


@dataclass(frozen=True, slots=True)
class SpreadFacts:
    """What the spread of a non-empty set of values is computed from.

    `ranked` holds the values at `quartile_ranks(count)`, in that order; `histogram` the counts
    of `histogram`. A database can aggregate these for a large set; `of` computes them here.
    """

    count: int
    total: Exact
    total_of_squares: Exact
    ranked: tuple[Exact, ...]
    histogram: list[int]

    @classmethod
    def of(cls, values: Sequence[Decimal]) -> "SpreadFacts":
        if not values:
            raise ValueError("spread of no values")
        ordered = sorted(values)
        total = squares = Decimal(0)
        for value in ordered:
            total = exact_sum(total, value)
            squares = exact_sum(squares, exact_product(value, value))
        return cls(
            count=len(ordered),
            total=total,
            total_of_squares=squares,
            ranked=tuple(ordered[r] for r in quartile_ranks(len(ordered))),
            histogram=histogram(ordered),
        )

    @classmethod
    def of_averages(cls, tallies: Iterable[tuple[int, Decimal]]) -> "SpreadFacts":
        """The facts of the exact averages total / count of `tallies` (count > 0, not empty).

        Every average is put over one common denominator, so that sorting, summing, squaring
        and binning them is integer arithmetic; only the few figures kept become Fractions.
        """
        ratios = [(total.as_integer_ratio(), count) for count, total in tallies]
        if not ratios:
            raise ValueError("spread of no values")
        common = math.lcm(*(denominator * count for (_, denominator), count in ratios))
        ordered = sorted(
            numerator * (common // (denominator * count))
            for (numerator, denominator), count in ratios
        )
        counts = [0] * HISTOGRAM_BINS
        last_bin = HISTOGRAM_BINS - 1
        for scaled in ordered:
            counts[min(scaled // common, last_bin)] += 1
        return cls(
            count=len(ordered),
            total=Fraction(sum(ordered), common),
            total_of_squares=Fraction(sum(s * s for s in ordered), common * common),
            ranked=tuple(Fraction(ordered[r], common) for r in quartile_ranks(len(ordered))),
            histogram=counts,
        )


@dataclass(frozen=True, slots=True)
class Spread:
    """The five-number summary and more of a non-empty set of values, in whole cents (each the
    exact figure rounded half up to 2 decimals)."""

    count: int
    mean: int
    minimum: int
    first_quartile: int
    median: int
    third_quartile: int
    maximum: int
    std_dev: int
    histogram: list[int]

    @classmethod
    def of(cls, values: Sequence[Decimal]) -> "Spread":
        return cls.from_facts(SpreadFacts.of(values))

    @classmethod
    def from_facts(cls, facts: SpreadFacts) -> "Spread":
        count = facts.count
        if count < 1:
            raise ValueError("spread of no values")
        low, q1_low, q1_high, q2_low, q2_high, q3_low, q3_high, high = facts.ranked
        total, denominator = facts.total.as_integer_ratio()
        return cls(
            count=count,
            mean=whole_cents(total, denominator * count),
            minimum=_cents(low),
            first_quartile=_quantile_cents(count, 1, q1_low, q1_high),
            median=_quantile_cents(count, 2, q2_low, q2_high),
            third_quartile=_quantile_cents(count, 3, q3_low, q3_high),
            maximum=_cents(high),
            std_dev=std_dev_cents(count, facts.total, facts.total_of_squares),
            histogram=list(facts.histogram),
        )


def _cents(value: Exact) -> int:
    return whole_cents(*value.as_integer_ratio())


def rank_among(ordered: Sequence[int], score: int) -> int:
    """The competition rank of `score` among the ascending scores `ordered` (which hold it):
    1 + how many are higher; equal scores share a rank (1, 2, 2, 4)."""
    return len(ordered) - bisect_right(ordered, score) + 1


def share_below(ordered: Sequence[int], score: int) -> int:
    """The share (0-100) of the ascending scores `ordered` strictly lower than `score`, in cents
    rounded half up."""
    return percentage_cents(bisect_left(ordered, score), len(ordered))


def is_declining(grades_oldest_first: Sequence[Decimal], run: int = 3) -> bool:
    """True when the last `run` grades each scored lower than the one before."""
    last = grades_oldest_first[-run:]
    return len(last) == run and all(map(operator.gt, last, last[1:]))


def is_rising(grades_oldest_first: Sequence[Decimal], run: int = 3) -> bool:
    """True when the last `run` grades each scored higher than the one before."""
    last = grades_oldest_first[-run:]
    return len(last) == run and all(map(operator.lt, last, last[1:]))
