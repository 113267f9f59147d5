"""Order statistics for spreads of grades: quantiles, standard deviation, histograms, ranks.

Every figure is computed exactly and rounded once, half up, to 2 decimals, like the averages in
`domain.statistics`: grades may carry any number of digits (a float's shortest form can be
5E-324), and a value rounded to a working precision first can land on the other side of a half
cent.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction
from itertools import pairwise

from domain.statistics import average, exact_sum, percentage, round2

HISTOGRAM_BINS = 10
# Only additions and multiplications by exact quarters run in this context, so they are exact.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_QUARTER = Decimal("0.25")


def quantile(ordered: Sequence[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (numpy's default, R's type 7), exact.

    `ordered` is sorted ascending and not empty; q is in [0, 1].
    """
    if not ordered:
        raise ValueError("quantile of no values")
    position = _EXACT.multiply(Decimal(len(ordered) - 1), q)
    lower = int(position)
    fraction = _EXACT.subtract(position, Decimal(lower))
    if fraction == 0:
        return ordered[lower]
    step = _EXACT.subtract(ordered[lower + 1], ordered[lower])
    return _EXACT.add(ordered[lower], _EXACT.multiply(fraction, step))


def population_std_dev(values: Sequence[Decimal]) -> Decimal:
    """The population standard deviation, rounded half up to 2 decimals on the exact value.

    The variance is an exact fraction; its square root is rounded with integer square roots: the
    rounded value is c/100 for the largest c with c - 1/2 <= 100*sigma, that is the largest odd
    2c - 1 with (2c - 1)^2 <= 40000 * variance.
    """
    if not values:
        raise ValueError("standard deviation of no values")
    exact = [Fraction(v) for v in values]
    count = len(exact)
    total = sum(exact, Fraction(0))
    variance = (count * sum((v * v for v in exact), Fraction(0)) - total * total) / (count * count)
    scaled = variance * 40000
    root = math.isqrt(scaled.numerator // scaled.denominator)
    odd = root if root % 2 else root - 1
    cents = (odd + 1) // 2
    return round2(Decimal(cents).scaleb(-2))


def histogram(values: Sequence[Decimal]) -> list[int]:
    """Counts in the bins [0,1), [1,2), ... [9,10]; 10 falls in the last bin."""
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        counts[min(int(value), HISTOGRAM_BINS - 1)] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Spread:
    """The five-number summary and more of a non-empty set of grades, rounded to 2 decimals."""

    count: int
    mean: Decimal
    minimum: Decimal
    first_quartile: Decimal
    median: Decimal
    third_quartile: Decimal
    maximum: Decimal
    std_dev: Decimal
    histogram: list[int]

    @classmethod
    def of(cls, values: Sequence[Decimal]) -> "Spread":
        if not values:
            raise ValueError("spread of no values")
        ordered = sorted(values)
        total = Decimal(0)
        for value in ordered:
            total = exact_sum(total, value)
        mean = average(total, len(ordered))
        assert mean is not None
        return cls(
            count=len(ordered),
            mean=mean,
            minimum=round2(ordered[0]),
            first_quartile=round2(quantile(ordered, _QUARTER)),
            median=round2(quantile(ordered, 2 * _QUARTER)),
            third_quartile=round2(quantile(ordered, 3 * _QUARTER)),
            maximum=round2(ordered[-1]),
            std_dev=population_std_dev(ordered),
            histogram=histogram(ordered),
        )


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Rank of each score, 1 = highest; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_position.setdefault(score, position)
    return [first_position[score] for score in scores]


def percentiles_below(scores: Sequence[Decimal]) -> list[Decimal]:
    """For each score, the share (0-100, rounded half up to 2 decimals) of all scores strictly
    lower than it."""
    ordered = sorted(scores)
    lower_count: dict[Decimal, int] = {}
    for position, score in enumerate(ordered):
        lower_count.setdefault(score, position)
    total = len(scores)
    shares = [percentage(lower_count[s], total) for s in scores]
    return [s for s in shares if s is not None]


def is_declining(grades_oldest_first: Sequence[Decimal], run: int = 3) -> bool:
    """True when the last `run` grades each scored lower than the one before."""
    last = grades_oldest_first[-run:]
    return len(last) == run and all(a > b for a, b in pairwise(last))
