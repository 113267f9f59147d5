"""The statistics math. Sums are exact Decimals; rounding happens once, at the end."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals, on the exact value."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def average(total: Decimal, count: int) -> Decimal | None:
    """The mean rounded to 2 decimals, or None for no values."""
    if count == 0:
        return None
    with localcontext() as exact:
        exact.prec = 60  # enough digits that the quotient cannot round across a cent boundary
        return round2(total / count)


def percentage(part: int, whole: int) -> Decimal | None:
    """`part` as a share of `whole` in 0-100, rounded to 2 decimals, or None when whole is 0."""
    if whole == 0:
        return None
    with localcontext() as exact:
        exact.prec = 60
        return round2(Decimal(part) * _HUNDRED / whole)


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
        return Tally(self.count + 1, self.total + grade, self.on_time + int(on_time))

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.count + other.count, self.total + other.total, self.on_time + other.on_time)

    @property
    def average(self) -> Decimal | None:
        return average(self.total, self.count)

    @property
    def on_time_percentage(self) -> Decimal | None:
        return percentage(self.on_time, self.count)
