"""StatsReader: every method, with windows and every grouping, on a fixed set of grades.

Times are written with the offsets the platform might send; the comments give them in UTC,
which is what buckets and windows go by.
"""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from adapter_sets import AdapterSet
from example_students import ANA, BEN

from application.ports import GradeScope, PeriodTally, StudentTally
from domain.events import CourseGraded, TaskGraded
from domain.periods import DateWindow, GroupBy
from domain.statistics import Tally

PLUS_2 = timezone(timedelta(hours=2))
MINUS_5 = timezone(timedelta(hours=-5))


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def course_grade(
    student: uuid.UUID, course: str, grade: str, on_time: bool, graded_at: datetime
) -> CourseGraded:
    return CourseGraded(
        uuid.uuid4(), student, course, Decimal(grade), on_time, graded_at, graded_at
    )


def task_grade(
    student: uuid.UUID, course: str, task: str, grade: str, on_time: bool, graded_at: datetime
) -> TaskGraded:
    return TaskGraded(
        uuid.uuid4(), student, course, task, Decimal(grade), on_time, graded_at, graded_at
    )


COURSE_GRADES = [
    course_grade(ANA, "math", "8", True, datetime(2025, 1, 1, 1, 30, tzinfo=PLUS_2)),  # 12-31 23:30
    course_grade(
        ANA, "math", "6", False, datetime(2024, 12, 31, 19, tzinfo=MINUS_5)
    ),  # 01-01 00:00
    course_grade(
        BEN, "math", "9", True, datetime(2025, 1, 5, 23, 59, 59, 999999, tzinfo=UTC)
    ),  # Sun
    course_grade(BEN, "math", "5", True, utc(2025, 1, 6)),  # Monday: a new ISO week
    course_grade(BEN, "math", "10", False, utc(2025, 12, 29, 10)),  # ISO week 2026-W01 starts
    course_grade(BEN, "math", "4", True, utc(2026, 1, 2, 12)),  # same ISO week, new year
    course_grade(ANA, "art", "7.25", True, utc(2025, 4, 1, 12)),
]

TASK_GRADES = [
    task_grade(ANA, "math", "essay", "6", True, datetime(2025, 1, 1, 1, 30, tzinfo=PLUS_2)),
    task_grade(ANA, "math", "essay", "9", False, utc(2025, 1, 2)),  # regrade: replaces the 6
    task_grade(ANA, "math", "quiz", "7", True, utc(2025, 1, 6)),
    task_grade(BEN, "math", "essay", "4", False, datetime(2025, 1, 5, 7, tzinfo=MINUS_5)),  # 12:00
    task_grade(BEN, "math", "quiz", "8", True, utc(2025, 2, 1)),
    task_grade(ANA, "art", "essay", "10", True, utc(2025, 1, 2)),
]


@pytest.fixture
async def reader(adapters: AdapterSet) -> AdapterSet:
    await adapters.record(COURSE_GRADES[:3])
    await adapters.record(COURSE_GRADES[3:] + TASK_GRADES)
    return adapters


def periods(*rows: tuple[datetime | None, int, str, int]) -> list[PeriodTally]:
    return [
        PeriodTally(start, Tally(count, Decimal(total), on_time))
        for start, count, total, on_time in rows
    ]


MATH_BY_PERIOD = {
    GroupBy.DAY: periods(
        (utc(2024, 12, 31), 1, "8", 1),
        (utc(2025, 1, 1), 1, "6", 0),
        (utc(2025, 1, 5), 1, "9", 1),
        (utc(2025, 1, 6), 1, "5", 1),
        (utc(2025, 12, 29), 1, "10", 0),
        (utc(2026, 1, 2), 1, "4", 1),
    ),
    GroupBy.WEEK: periods(
        (utc(2024, 12, 30), 3, "23", 2),
        (utc(2025, 1, 6), 1, "5", 1),
        (utc(2025, 12, 29), 2, "14", 1),
    ),
    GroupBy.MONTH: periods(
        (utc(2024, 12, 1), 1, "8", 1),
        (utc(2025, 1, 1), 3, "20", 2),
        (utc(2025, 12, 1), 1, "10", 0),
        (utc(2026, 1, 1), 1, "4", 1),
    ),
    GroupBy.QUARTER: periods(
        (utc(2024, 10, 1), 1, "8", 1),
        (utc(2025, 1, 1), 3, "20", 2),
        (utc(2025, 10, 1), 1, "10", 0),
        (utc(2026, 1, 1), 1, "4", 1),
    ),
    GroupBy.YEAR: periods(
        (utc(2024, 1, 1), 1, "8", 1),
        (utc(2025, 1, 1), 4, "30", 2),
        (utc(2026, 1, 1), 1, "4", 1),
    ),
    None: periods((None, 6, "42", 4)),
}


@pytest.mark.parametrize("group_by", [*GroupBy, None], ids=str)
async def test_course_grade_series_per_period(reader: AdapterSet, group_by: GroupBy | None) -> None:
    series = await reader.stats_reader.course_grade_series(
        GradeScope(group_by=group_by, course_id="math")
    )
    assert series.overall == Tally(6, Decimal(42), 4)
    assert series.students == 2
    assert series.periods == MATH_BY_PERIOD[group_by]
    for period in series.periods:
        assert period.start is None or period.start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("window", "expected", "students"),
    [
        # [2025-01-01T00:00Z, 2025-01-06T00:00Z): the 6 at the start is in, the 5 at the end out.
        (
            DateWindow(date(2025, 1, 1), date(2025, 1, 5)),
            periods((utc(2024, 12, 30), 2, "15", 1)),
            2,
        ),
        (DateWindow(end_date=date(2024, 12, 31)), periods((utc(2024, 12, 30), 1, "8", 1)), 1),
        (DateWindow(start_date=date(2025, 12, 1)), periods((utc(2025, 12, 29), 2, "14", 1)), 1),
        (DateWindow(date(2025, 6, 1), date(2025, 6, 30)), [], 0),
    ],
    ids=["closed", "open start", "open end", "empty"],
)
async def test_course_grade_series_in_a_window(
    reader: AdapterSet, window: DateWindow, expected: list[PeriodTally], students: int
) -> None:
    series = await reader.stats_reader.course_grade_series(
        GradeScope(window=window, group_by=GroupBy.WEEK, course_id="math")
    )
    assert series.periods == expected
    assert series.overall == sum((p.tally for p in expected), Tally())
    assert series.students == students


@pytest.mark.parametrize(
    ("student_id", "course_id", "overall", "students"),
    [
        (ANA, None, Tally(3, Decimal("21.25"), 2), 1),
        (ANA, "math", Tally(2, Decimal(14), 1), 1),
        (None, "art", Tally(1, Decimal("7.25"), 1), 1),
        (None, None, Tally(7, Decimal("49.25"), 5), 2),
        (BEN, "art", Tally(), 0),
        (None, "history", Tally(), 0),
    ],
)
async def test_course_grade_series_filters(
    reader: AdapterSet,
    student_id: uuid.UUID | None,
    course_id: str | None,
    overall: Tally,
    students: int,
) -> None:
    series = await reader.stats_reader.course_grade_series(
        GradeScope(student_id=student_id, course_id=course_id)
    )
    assert series.overall == overall
    assert series.students == students
    assert series.periods == ([PeriodTally(None, overall)] if overall.count else [])


async def test_a_students_grades_in_a_course(reader: AdapterSet) -> None:
    stats = reader.stats_reader
    math = await stats.student_course(ANA, "math")
    assert (math.course_grades, math.task_grades) == (
        Tally(2, Decimal(14), 1),
        Tally(2, Decimal(16), 1),
    )
    art = await stats.student_course(ANA, "art")
    assert (art.course_grades, art.task_grades) == (
        Tally(1, Decimal("7.25"), 1),
        Tally(1, Decimal(10), 1),
    )
    nothing = await stats.student_course(BEN, "art")
    assert (nothing.course_grades, nothing.task_grades) == (Tally(), Tally())


async def test_sums_are_exact(adapters: AdapterSet) -> None:
    at = utc(2025, 3, 1)
    await adapters.record([course_grade(ANA, "math", "0.1", True, at) for _ in range(3)])
    tallies = await adapters.stats_reader.student_course(ANA, "math")
    assert tallies.course_grades.total == Decimal("0.3")


async def test_sums_of_far_apart_grades_are_exact(adapters: AdapterSet) -> None:
    at = utc(2025, 3, 1)
    # 5e-324 is a valid grade (the smallest float); 28 significant digits would lose it.
    await adapters.record([course_grade(ANA, "math", g, True, at) for g in ("10", "5E-324")])
    tallies = await adapters.stats_reader.student_course(ANA, "math")
    assert tallies.course_grades.total == Decimal("10." + "0" * 323 + "5")


def by_student(tallies: list[StudentTally]) -> list[tuple[uuid.UUID, Tally]]:
    """The port promises no order: compare sorted."""
    return sorted((t.student_id, t.tally) for t in tallies)


async def test_task_tallies_by_student_use_current_grades(reader: AdapterSet) -> None:
    tallies = await reader.stats_reader.task_tallies_by_student("math")
    assert by_student(tallies) == [(ANA, Tally(2, Decimal(16), 1)), (BEN, Tally(2, Decimal(12), 1))]
    assert await reader.stats_reader.task_tallies_by_student("history") == []


@pytest.mark.parametrize(
    ("task_id", "expected"),
    [
        ("essay", [(ANA, Tally(1, Decimal(9), 0)), (BEN, Tally(1, Decimal(4), 0))]),
        ("quiz", [(ANA, Tally(1, Decimal(7), 1)), (BEN, Tally(1, Decimal(8), 1))]),
        ("project", []),
    ],
)
async def test_task_tallies_for_task(
    reader: AdapterSet, task_id: str, expected: list[tuple[uuid.UUID, Tally]]
) -> None:
    assert by_student(await reader.stats_reader.task_tallies_for_task("math", task_id)) == expected


async def test_ranked_task_averages_and_grades(reader: AdapterSet) -> None:
    """The reader's rankings of the same facts: best first, ties by student id."""
    averages = await reader.stats_reader.ranked_task_averages("math")
    assert (averages.student_ids, averages.cents, averages.counts) == ([ANA, BEN], [800, 600], [2, 2])
    essay = await reader.stats_reader.ranked_task_grades("math", "essay")
    assert (essay.student_ids, essay.cents, essay.counts, essay.overall_cents) == (
        [ANA, BEN], [900, 400], [1, 1], 650
    )
    quiz = await reader.stats_reader.ranked_task_grades("math", "quiz")
    assert (quiz.student_ids, quiz.cents, quiz.overall_cents) == ([BEN, ANA], [800, 700], 750)
    for empty in (
        await reader.stats_reader.ranked_task_averages("history"),
        await reader.stats_reader.ranked_task_grades("math", "project"),
    ):
        assert (empty.student_ids, empty.cents, empty.counts, empty.overall_cents) == (
            [], [], [], None
        )


async def test_rankings_round_half_up_and_break_ties_by_id(adapters: AdapterSet) -> None:
    """Averages a hair either side of a half cent, equal shown averages, late older grades and
    regrades: each student is ranked by average_cents of their current grades."""
    at = utc(2025, 3, 1)
    students = [uuid.UUID(int=n) for n in (5, 3, 9, 1)]
    # per student: (task, grade, hours after `at`); a later graded_at replaces an earlier one
    grades = {
        students[0]: [("a", "7.125", 0), ("b", "7.125", 0)],  # 7.125 -> 7.13
        students[1]: [("a", "7.1249", 1), ("a", "1", 0), ("b", "7.1251", 0)],  # 7.125 -> 7.13
        students[2]: [("a", "2", 0), ("a", "7.1249", 2), ("b", "7.1249", 0)],  # 7.1249 -> 7.12
        students[3]: [("a", "10", 0), ("b", "0.005", 0), ("b", "0", 5)],  # 5 -> 5.00
    }
    await adapters.record([
        task_grade(student, "math", task, grade, True, at + timedelta(hours=hours))
        for student, slots in grades.items()
        for task, grade, hours in slots
    ])
    ranked = await adapters.stats_reader.ranked_task_averages("math")
    assert ranked.student_ids == [students[1], students[0], students[2], students[3]]
    assert (ranked.cents, ranked.counts) == ([713, 713, 712, 500], [2, 2, 2, 2])
    task_a = await adapters.stats_reader.ranked_task_grades("math", "a")
    assert task_a.student_ids == [students[3], students[0], students[1], students[2]]
    assert task_a.cents == [1000, 713, 712, 712]
    # (10 + 7.125 + 7.1249 + 7.1249) / 4 = 7.843700 -> 7.84
    assert task_a.overall_cents == 784


ON_TIME_BY_PERIOD = {
    # Ana's first essay grade (2024-12-31) was replaced: no bucket of its own.
    GroupBy.DAY: periods(
        (utc(2025, 1, 2), 1, "9", 0),
        (utc(2025, 1, 5), 1, "4", 0),
        (utc(2025, 1, 6), 1, "7", 1),
        (utc(2025, 2, 1), 1, "8", 1),
    ),
    GroupBy.WEEK: periods(
        (utc(2024, 12, 30), 2, "13", 0),
        (utc(2025, 1, 6), 1, "7", 1),
        (utc(2025, 1, 27), 1, "8", 1),
    ),
    GroupBy.MONTH: periods((utc(2025, 1, 1), 3, "20", 1), (utc(2025, 2, 1), 1, "8", 1)),
    GroupBy.QUARTER: periods((utc(2025, 1, 1), 4, "28", 2)),
    GroupBy.YEAR: periods((utc(2025, 1, 1), 4, "28", 2)),
    None: periods((None, 4, "28", 2)),
}


@pytest.mark.parametrize("group_by", [*GroupBy, None], ids=str)
async def test_on_time_series_per_period(reader: AdapterSet, group_by: GroupBy | None) -> None:
    series = await reader.stats_reader.on_time_series(
        GradeScope(course_id="math", group_by=group_by)
    )
    assert series == ON_TIME_BY_PERIOD[group_by]


async def test_on_time_series_of_one_student(reader: AdapterSet) -> None:
    series = await reader.stats_reader.on_time_series(
        GradeScope(course_id="math", group_by=GroupBy.WEEK, student_id=ANA)
    )
    assert series == periods((utc(2024, 12, 30), 1, "9", 0), (utc(2025, 1, 6), 1, "7", 1))


@pytest.mark.parametrize(
    ("window", "student_id", "expected"),
    [
        # [2025-01-02T00:00Z, 2025-01-06T00:00Z): Ana's essay at the start in, her quiz at the end
        # out.
        (DateWindow(date(2025, 1, 2), date(2025, 1, 5)), None, periods((None, 2, "13", 0))),
        (DateWindow(date(2025, 1, 2), date(2025, 1, 5)), ANA, periods((None, 1, "9", 0))),
        (DateWindow(start_date=date(2025, 1, 6)), None, periods((None, 2, "15", 2))),
        (DateWindow(end_date=date(2025, 1, 1)), None, []),
    ],
    ids=["closed", "closed, one student", "open end", "before any current grade"],
)
async def test_on_time_series_in_a_window(
    reader: AdapterSet,
    window: DateWindow,
    student_id: uuid.UUID | None,
    expected: list[PeriodTally],
) -> None:
    series = await reader.stats_reader.on_time_series(
        GradeScope(course_id="math", window=window, student_id=student_id)
    )
    assert series == expected


@pytest.mark.parametrize("course_id", ["history", None], ids=["unknown", "none"])
async def test_on_time_series_of_an_unknown_or_no_course_is_empty(
    reader: AdapterSet, course_id: str | None
) -> None:
    scope = GradeScope(group_by=GroupBy.DAY, student_id=ANA, course_id=course_id)
    assert await reader.stats_reader.on_time_series(scope) == []
