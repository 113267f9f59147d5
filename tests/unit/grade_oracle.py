"""A deliberately plain re-statement of the contract, to check the code under test against.

It shares nothing with the production code but the event classes: exact fractions, explicit
loops, and calendar arithmetic spelled out by hand.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from domain.events import CourseGraded, GradeEvent, TaskGraded


def rounded(value: Fraction) -> float:
    """Half up to 2 decimals, from the exact value, as the float of its decimal string."""
    scaled = value * 100
    cents, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        cents += 1
    return float(f"{cents // 100}.{cents % 100:02d}")


def mean(grades: list[Fraction]) -> float | None:
    return rounded(sum(grades, Fraction(0)) / len(grades)) if grades else None


def share(part: int, whole: int) -> float | None:
    return rounded(Fraction(100 * part, whole)) if whole else None


def unique(events: Iterable[GradeEvent]) -> list[GradeEvent]:
    """Each event id once (the first seen: a redelivery carries the same event)."""
    seen: dict[uuid.UUID, GradeEvent] = {}
    for event in events:
        seen.setdefault(event.event_id, event)
    return list(seen.values())


def course_grades(events: Iterable[GradeEvent]) -> list[CourseGraded]:
    return [e for e in unique(events) if isinstance(e, CourseGraded)]


def current_task_grades(events: Iterable[GradeEvent]) -> list[TaskGraded]:
    """Per (student, course, task): latest graded_at, then latest accepted_at, then event id."""
    best: dict[tuple[uuid.UUID, str, str], TaskGraded] = {}
    for e in unique(events):
        if not isinstance(e, TaskGraded):
            continue
        slot = (e.student_id, e.course_id, e.task_id)
        held = best.get(slot)
        if held is None or (
            (e.graded_at, e.accepted_at, e.event_id)
            > (held.graded_at, held.accepted_at, held.event_id)
        ):
            best[slot] = e
    return list(best.values())


def day_start(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


def period_start(moment: datetime, group_by: str) -> datetime:
    day = day_start(moment)
    if group_by == "day":
        return day
    if group_by == "week":
        iso_year, iso_week, _ = day.isocalendar()
        return datetime.fromisocalendar(iso_year, iso_week, 1).replace(tzinfo=UTC)
    if group_by == "month":
        return day.replace(day=1)
    if group_by == "quarter":
        return day.replace(month={1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4,
                                  7: 7, 8: 7, 9: 7, 10: 10, 11: 10, 12: 10}[day.month], day=1)
    if group_by == "year":
        return day.replace(month=1, day=1)
    raise ValueError(group_by)


def next_period_start(start: datetime, group_by: str) -> datetime:
    if group_by == "day":
        return start + timedelta(days=1)
    if group_by == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[group_by]
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1)


def label(start: datetime | None) -> str:
    return "all_time" if start is None else start.strftime("%Y-%m-%dT00:00:00Z")


def series(
    grades: Iterable[CourseGraded | TaskGraded], group_by: str | None
) -> list[tuple[str, list[CourseGraded | TaskGraded]]]:
    """Grades by period, ascending; only periods that hold grades."""
    buckets: dict[datetime | None, list[CourseGraded | TaskGraded]] = defaultdict(list)
    for g in grades:
        buckets[period_start(g.graded_at, group_by) if group_by else None].append(g)
    order = sorted(buckets, key=lambda s: s or datetime.min.replace(tzinfo=UTC))
    return [(label(start), buckets[start]) for start in order]


def fractions(grades: Iterable[CourseGraded | TaskGraded]) -> list[Fraction]:
    return [Fraction(g.grade) for g in grades]


def ranked(by_student: dict[uuid.UUID, list[Fraction]]) -> list[tuple[uuid.UUID, float | None, int]]:
    """(student, average, count), highest average as shown (2 decimals) first; students shown
    with the same average by student id, as the ranks of the standings count them."""
    order = sorted(by_student, key=lambda s: (-(mean(by_student[s]) or 0.0), str(s)))
    return [(s, mean(by_student[s]), len(by_student[s])) for s in order]
