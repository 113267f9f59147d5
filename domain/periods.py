"""Calendar buckets for time series, all in UTC."""

import enum
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import InvalidInput


class GroupBy(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO week, starting Monday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


ALL_TIME = "all_time"


def bucket_start(moment: datetime, group_by: GroupBy) -> datetime:
    """The UTC start of the bucket that holds `moment`."""
    day = moment.astimezone(UTC).date()
    match group_by:
        case GroupBy.DAY:
            start = day
        case GroupBy.WEEK:
            start = day - timedelta(days=day.weekday())
        case GroupBy.MONTH:
            start = day.replace(day=1)
        case GroupBy.QUARTER:
            start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        case GroupBy.YEAR:
            start = date(day.year, 1, 1)
    return datetime.combine(start, time(), UTC)


# Series repeat the same few bucket starts from request to request, and isoformat costs more
# than a cache lookup (3.7 us against 0.2 on the benchmark machine); the text depends only on
# the instant, which is what equal (and equally hashed) aware datetimes share.
@functools.lru_cache(maxsize=4096)
def format_period(start: datetime | None) -> str:
    """RFC 3339 for a bucket start; `all_time` when the series is not grouped."""
    if start is None:
        return ALL_TIME
    # not strftime: its %Y does not pad years before 1000 to four digits on every platform
    return start.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Inclusive UTC dates; either end may be open. As instants: [start, end)."""

    start_date: date | None = None
    end_date: date | None = None

    def __post_init__(self) -> None:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise InvalidInput.one("start_date", "must not be after end_date")
        if self.end_date == date.max:  # the instant after it, `end`, is not representable
            raise InvalidInput.one("end_date", f"must be before {date.max.isoformat()}")

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.start_date, time(), UTC) if self.start_date else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the window (midnight after end_date), or None if open."""
        if self.end_date is None:
            return None
        return datetime.combine(self.end_date + timedelta(days=1), time(), UTC)

    def contains(self, moment: datetime) -> bool:
        start, end = self.start, self.end
        return (start is None or moment >= start) and (end is None or moment < end)
