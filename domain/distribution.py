"""Order statistics for spreads of grades: quantiles, standard deviation, histograms, ranks.

All exact on Decimals; results are rounded to 2 decimals only by the caller (`round2`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import pairwise

from domain.statistics import round2

HISTOGRAM_BINS = 10


def quantile(ordered: Sequence[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (numpy's default, R's type 7).

    `ordered` is sorted ascending and not empty; q is in [0, 1].
    """
    if not ordered:
        raise ValueError("quantile of no values")
    position = (len(ordered) - 1) * q
    lower = int(position)
    fraction = position - lower
    if fraction == 0:
        return ordered[lower]
    return ordered[lower] + fraction * (ordered[lower + 1] - ordered[lower])


def population_std_dev(values: Sequence[Decimal]) -> Decimal:
    if not values:
        raise ValueError("standard deviation of no values")
    with localcontext() as exact:
        exact.prec = 60
        mean = sum(values, Decimal(0)) / len(values)
        variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)
        return variance.sqrt()


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
        ordered = sorted(values)
        with localcontext() as exact:
            exact.prec = 60
            mean = sum(ordered, Decimal(0)) / len(ordered)
        return cls(
            count=len(ordered),
            mean=round2(mean),
            minimum=round2(ordered[0]),
            first_quartile=round2(quantile(ordered, Decimal("0.25"))),
            median=round2(quantile(ordered, Decimal("0.5"))),
            third_quartile=round2(quantile(ordered, Decimal("0.75"))),
            maximum=round2(ordered[-1]),
            std_dev=round2(population_std_dev(ordered)),
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
    """For each score, the share (0-100, rounded) of all scores strictly lower than it."""
    ordered = sorted(scores)
    lower_count: dict[Decimal, int] = {}
    for position, score in enumerate(ordered):
        lower_count.setdefault(score, position)
    total = len(scores)
    with localcontext() as exact:
        exact.prec = 60
        return [round2(Decimal(lower_count[s]) * 100 / total) for s in scores]


def is_declining(grades_oldest_first: Sequence[Decimal], run: int = 3) -> bool:
    """True when the last `run` grades each scored lower than the one before."""
    last = grades_oldest_first[-run:]
    return len(last) == run and all(a > b for a, b in pairwise(last))
