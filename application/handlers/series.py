"""Shaping shared by the time-series use cases."""


from application.ports import Clock, PeriodTally, StudentTally
from application.queries import PeriodAverage, PeriodOnTime, StudentAverage, TimeRange
from domain.periods import DateWindow, format_period


def time_range(window: DateWindow, clock: Clock) -> TimeRange:
    """The instants the series covers: [start, end), end defaulting to now."""
    return TimeRange(start=window.start, end=window.end or clock.now())


def averages(periods: list[PeriodTally]) -> list[PeriodAverage]:
    return [
        PeriodAverage(format_period(p.start), p.tally.average_number, p.tally.count) for p in periods
    ]


def on_time(periods: list[PeriodTally]) -> list[PeriodOnTime]:
    return [
        PeriodOnTime(
            format_period(p.start), p.tally.on_time, p.tally.count, p.tally.on_time_percentage_number
        )
        for p in periods
    ]


def best_first(tallies: list[StudentTally]) -> list[StudentAverage]:
    """Students by average as shown (2 decimals), highest first; students shown with the same
    average are in student-id order, so the order is stable and agrees with what is displayed
    (and with the ranks of the standings)."""
    shown = [StudentAverage(t.student_id, t.tally.average_number, t.tally.count) for t in tallies]
    # UUIDs order as their text does (fixed-width lowercase hex), without formatting each one
    return sorted(shown, key=lambda s: (-(s.average_grade or 0.0), s.student_id))
