"""How the readers' tallies become the figures the views show.

A student's average is their task average rounded to 2 decimals (see application.views), kept as
whole cents; ranks and percentiles are over every student of the course with such an average.
Figures in cents are shown as `cents / 100`: int / int is correctly rounded, so it is the same
float as the 2-decimal Decimal's (`domain.statistics.as_number`).
"""

from collections.abc import Sequence
from datetime import UTC

from application.ports import Clock, PeriodTally, StudentTally
from application.ports.analytics_reader import CourseStandings, RecentTaskGrade
from application.views import (
    PeriodAverage,
    PeriodOnTime,
    RecentGrade,
    StudentAverage,
    StudentStanding,
    TimeRange,
    Trend,
)
from domain.distribution import (
    HISTOGRAM_BINS,
    Spread,
    is_declining,
    is_rising,
    rank_among,
    share_below,
)

# How many of a student's last task grades make their trend (and the at-risk decline).
TREND_RUN = 3
from domain.periods import DateWindow, format_period
from domain.statistics import percentage_number

# A spread as both spread views list it: mean, min, first quartile, median, third quartile, max,
# standard deviation (None each for no values), histogram.
SpreadFigures = tuple[
    float | None, float | None, float | None, float | None, float | None, float | None,
    float | None, list[int],
]


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


def spread(figures: Spread | None) -> SpreadFigures:
    """The figures of a spread in cents as shown; None for the spread of no values."""
    if figures is None:
        return None, None, None, None, None, None, None, [0] * HISTOGRAM_BINS
    return (
        figures.mean / 100,
        figures.minimum / 100,
        figures.first_quartile / 100,
        figures.median / 100,
        figures.third_quartile / 100,
        figures.maximum / 100,
        figures.std_dev / 100,
        figures.histogram,
    )


def shown(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def recent_grades(grades: Sequence[RecentTaskGrade]) -> list[RecentGrade]:
    return [RecentGrade(g.task_id, float(g.grade), g.graded_at.astimezone(UTC)) for g in grades]


def trend(grades_oldest_first: Sequence[RecentTaskGrade]) -> Trend | None:
    """The direction of the last TREND_RUN grades; None with fewer."""
    last = [g.grade for g in grades_oldest_first[-TREND_RUN:]]
    if len(last) < TREND_RUN:
        return None
    if is_rising(last, TREND_RUN):
        return Trend.RISING
    return Trend.DECLINING if is_declining(last, TREND_RUN) else Trend.MIXED


def standing(
    course: CourseStandings,
    index: int,
    ranked: Sequence[int],
    recent: Sequence[RecentTaskGrade],
) -> StudentStanding:
    """The standing of the student at `index` of `course` among the ascending task averages
    `ranked` (which hold theirs), with their last TREND_RUN task grades `recent` (oldest first)."""
    average = course.task_average_cents[index]
    count = course.task_counts[index]
    return StudentStanding(
        student_id=course.student_ids[index],
        average_grade=shown(average),
        course_grade_average=shown(course.course_average_cents[index]),
        assignments_completed=count,
        on_time_percentage=percentage_number(course.task_on_times[index], count),
        rank=None if average is None else rank_among(ranked, average),
        percentile=None if average is None else shown(share_below(ranked, average)),
        trend=trend(recent),
        recent_grades=recent_grades(recent[-TREND_RUN:]),
    )
