"""The statistics math. Sums are exact Decimals; rounding happens once, at the end."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext

_CENT = Decimal("0.01")
# Sums of grades as different as 10 and 5e-324 need hundreds of digits; the default 28 would
# round them, and a rounded sum can land on the other side of a half cent.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals, on the exact value."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# The rounding rule, once: every figure is an exact fraction rounded half up to whole cents.
# Integers keep the quotient exact until then (and are ~10x faster than Fractions); a figure is
# shown as `cents / 100`, and int / int is correctly rounded, so it is the same float as the
# 2-decimal Decimal's.


def whole_cents(numerator: int, denominator: int) -> int:
    """numerator / denominator in cents, rounded half up (away from zero)."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    cents = (abs(numerator) * 200 + denominator) // (2 * denominator)
    return cents if numerator >= 0 else -cents


def from_cents(cents: int) -> Decimal:
    """The 2-decimal Decimal of a whole number of cents, exactly (no context rounding)."""
    return Decimal(f"{cents}E-2")


def average_cents(total: Decimal, count: int) -> int:
    """The mean of `count` (> 0) values summing to `total`, in cents."""
    numerator, denominator = total.as_integer_ratio()
    return whole_cents(numerator, denominator * count)


def percentage_cents(part: int, whole: int) -> int:
    """`part` as a share of `whole` (> 0) in 0-100, in cents."""
    return whole_cents(part * 100, whole)


def average(total: Decimal, count: int) -> Decimal | None:
    """The mean rounded to 2 decimals, or None for no values."""
    return None if count == 0 else from_cents(average_cents(total, count))


def average_number(total: Decimal, count: int) -> float | None:
    """`as_number(average(total, count))`, without the Decimal in between."""
    return None if count == 0 else average_cents(total, count) / 100


def percentage(part: int, whole: int) -> Decimal | None:
    """`part` as a share of `whole` in 0-100, rounded to 2 decimals, or None when whole is 0."""
    return None if whole == 0 else from_cents(percentage_cents(part, whole))


def percentage_number(part: int, whole: int) -> float | None:
    """`as_number(percentage(part, whole))`, without the Decimal in between."""
    return None if whole == 0 else percentage_cents(part, whole) / 100


def exact_sum(a: Decimal, b: Decimal) -> Decimal:
    return _EXACT.add(a, b)


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    return _EXACT.multiply(a, b)


def as_number(value: Decimal | None) -> float | None:
    """A rounded result for display: the float whose shortest form is the 2-decimal value."""
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class Tally:
    """Count, exact sum and on-time count of a set of grades: what every statistic derives from."""

    count: int = 0
    total: Decimal = Decimal(0)
    on_time: int = 0

    def add(self, grade: Decimal, on_time: bool) -> "Tally":
        return Tally(self.count + 1, exact_sum(self.total, grade), self.on_time + int(on_time))

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.count + other.count,
            exact_sum(self.total, other.total),
            self.on_time + other.on_time,
        )

    @staticmethod
    def of_all(tallies: Iterable["Tally"]) -> "Tally":
        """The tally of the union: `sum(tallies, Tally())` in one exact context instead of one
        object and one context per addition (a fifth of the time on a course's 228 students)."""
        tallies = list(tallies)
        with localcontext(_EXACT):
            total = sum([t.total for t in tallies], Decimal(0))
        return Tally(
            sum([t.count for t in tallies]), total, sum([t.on_time for t in tallies])
        )

    @property
    def average(self) -> Decimal | None:
        return average(self.total, self.count)

    @property
    def average_number(self) -> float | None:
        """The average as shown (see `average_number`)."""
        return average_number(self.total, self.count)

    @property
    def on_time_percentage(self) -> Decimal | None:
        return percentage(self.on_time, self.count)

    @property
    def on_time_percentage_number(self) -> float | None:
        """The on-time percentage as shown (see `percentage_number`)."""
        return percentage_number(self.on_time, self.count)
