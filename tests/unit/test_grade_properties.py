"""Properties of the statistics over any set of events, checked against grade_oracle."""

import dataclasses
import itertools
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

from grade_oracle import (
    course_grades,
    current_task_grades,
    fractions,
    mean,
    ranked,
    rounded,
    series,
    share,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from memory_service import Service, build_service

from application.commands import RecordGrades
from application.queries import (
    GetCourseAverage,
    GetOnTimePercentage,
    GetStudentAverage,
    GetStudentCourseSummary,
    GetStudentTaskComparison,
    GetTaskAverages,
)
from domain.errors import NotFound
from domain.events import CourseGraded, GradeEvent, TaskGraded
from domain.periods import GroupBy

STUDENTS = [uuid.UUID(int=n) for n in (0xA, 0xB, 0xC)]
COURSES = ["c1", "c2"]
TASKS = ["t1", "t2"]
EAST = timezone(timedelta(hours=5, minutes=30))
WEST = timezone(timedelta(hours=-8))
# A few instants around week, year and quarter edges, some equal in different offsets, so that
# ties and bucket boundaries come up often.
MOMENTS = [
    datetime(2025, 12, 28, 23, 30, tzinfo=WEST),  # Monday 29 Dec in UTC
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2026, 1, 1, 5, 30, tzinfo=EAST),  # the same instant as the one above
    datetime(2026, 1, 4, 12, tzinfo=UTC),  # Sunday
    datetime(2026, 3, 31, 23, tzinfo=UTC),
    datetime(2026, 4, 1, 4, tzinfo=EAST),  # 31 Mar 22:30 UTC
    datetime(2026, 4, 1, tzinfo=UTC),
]
ACCEPTED = [datetime(2026, 4, 2, tzinfo=UTC) + timedelta(seconds=n) for n in range(3)]
GROUPINGS: list[GroupBy | None] = [None, GroupBy.DAY, GroupBy.WEEK, GroupBy.QUARTER]

grades = st.decimals(min_value=0, max_value=10, places=3)
# What course and task grades have in common; a task grade names its task as well.
grade_fields: dict[str, st.SearchStrategy[Any]] = {
    "event_id": st.uuids(),
    "student_id": st.sampled_from(STUDENTS),
    "course_id": st.sampled_from(COURSES),
    "grade": grades,
    "on_time": st.booleans(),
    "graded_at": st.sampled_from(MOMENTS),
    "accepted_at": st.sampled_from(ACCEPTED),
}
course_events = st.builds(CourseGraded, **grade_fields)
task_events = st.builds(TaskGraded, task_id=st.sampled_from(TASKS), **grade_fields)
event_lists = st.lists(st.one_of(course_events, task_events), max_size=14)

modest = settings(max_examples=60, deadline=None)


async def record(service: Service, *batches: list[GradeEvent]) -> None:
    for batch in batches:
        await service.record(RecordGrades(batch))


async def observe(service: Service) -> dict[str, Any]:
    """Every view over the whole universe of students, courses and tasks."""
    seen: dict[str, Any] = {}
    for c in COURSES:
        for t in TASKS:
            view = await service.task_averages(GetTaskAverages(c, t))
            seen[f"task {c} {t}"] = (view.group_average, view.students)
        for g in GROUPINGS:
            course = await service.course_average(GetCourseAverage(c, group_by=g))
            seen[f"course {c} {g}"] = (course.average_grade, course.total_students, course.averages)
            on_time = await service.on_time(GetOnTimePercentage(c, group_by=g))
            seen[f"on time {c} {g}"] = on_time.data
        for s in STUDENTS:
            comparison = await service.comparison(GetStudentTaskComparison(s, c))
            seen[f"compare {s} {c}"] = (comparison.student_average, comparison.other_students)
            try:
                summary = await service.summary(GetStudentCourseSummary(s, c))
                seen[f"summary {s} {c}"] = summary
            except NotFound:
                seen[f"summary {s} {c}"] = None
            mine = await service.on_time(GetOnTimePercentage(c, s, group_by=GroupBy.MONTH))
            seen[f"on time {c} {s}"] = mine.data
    for s in STUDENTS:
        view = await service.student_average(GetStudentAverage(s, group_by=GroupBy.YEAR))
        seen[f"student {s}"] = (view.average_grade, view.grade_count, view.averages)
    return seen


async def observe_events(*batches: list[GradeEvent]) -> dict[str, Any]:
    service = build_service()
    await record(service, *batches)
    return await observe(service)


def split(events: list[GradeEvent], cuts: list[int]) -> list[list[GradeEvent]]:
    bounds = sorted({0, len(events), *(c % (len(events) + 1) for c in cuts)})
    return [events[a:b] for a, b in itertools.pairwise(bounds)]


@modest
@given(event_lists, st.data())
async def test_views_match_the_oracle_whatever_the_order_batching_and_redelivery(
    events: list[GradeEvent], data: st.DataObject
) -> None:
    redelivered = data.draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    arrival = data.draw(st.permutations(events + redelivered))
    cuts = data.draw(st.lists(st.integers(0, 30), max_size=4))
    service = build_service()
    await record(service, *split(arrival, cuts))

    courses = course_grades(events)
    tasks = current_task_grades(events)
    for c in COURSES:
        in_course = [g for g in tasks if g.course_id == c]
        for t in TASKS:
            for_task = [g for g in in_course if g.task_id == t]
            view = await service.task_averages(GetTaskAverages(c, t))
            assert view.group_average == mean(fractions(for_task))
            expected = ranked({g.student_id: [Fraction(g.grade)] for g in for_task})
            assert [(s.student_id, s.average_grade, s.grade_count) for s in view.students] == expected

        for g in GROUPINGS:
            of_course = [x for x in courses if x.course_id == c]
            view_c = await service.course_average(GetCourseAverage(c, group_by=g))
            assert view_c.average_grade == mean(fractions(of_course))
            assert view_c.total_students == len({x.student_id for x in of_course})
            assert [(p.period, p.average_grade, p.grade_count) for p in view_c.averages] == [
                (label, mean(fractions(held)), len(held)) for label, held in series(of_course, g)
            ]
            view_o = await service.on_time(GetOnTimePercentage(c, group_by=g))
            assert [(p.period, p.on_time_count, p.total_count, p.percentage) for p in view_o.data] == [
                (label, sum(x.on_time for x in held), len(held),
                 share(sum(x.on_time for x in held), len(held)))
                for label, held in series(in_course, g)
            ]

        by_student: dict[uuid.UUID, list[Fraction]] = {}
        for x in in_course:
            by_student.setdefault(x.student_id, []).append(Fraction(x.grade))
        for s in STUDENTS:
            comparison = await service.comparison(GetStudentTaskComparison(s, c))
            assert comparison.student_average == mean(by_student.get(s, []))
            assert (comparison.warning is None) == (s in by_student)
            others = {k: v for k, v in by_student.items() if k != s}
            assert [
                (o.student_id, o.average_grade, o.grade_count) for o in comparison.other_students
            ] == ranked(others)

            own_courses = [x for x in courses if x.course_id == c and x.student_id == s]
            own_tasks = [x for x in in_course if x.student_id == s]
            try:
                summary = await service.summary(GetStudentCourseSummary(s, c))
            except NotFound:
                assert not own_courses and not own_tasks
            else:
                assert summary.average_grade == mean(fractions(own_courses))
                assert summary.task_average == mean(fractions(own_tasks))
                assert summary.assignments_completed == len(own_tasks)
                assert summary.on_time_percentage == share(
                    sum(x.on_time for x in own_tasks), len(own_tasks)
                )

    for s in STUDENTS:
        mine = [x for x in courses if x.student_id == s]
        view_s = await service.student_average(GetStudentAverage(s, group_by=GroupBy.YEAR))
        assert (view_s.average_grade, view_s.grade_count) == (mean(fractions(mine)), len(mine))
        assert [(p.period, p.average_grade, p.grade_count) for p in view_s.averages] == [
            (label, mean(fractions(held)), len(held)) for label, held in series(mine, "year")
        ]


@modest
@given(event_lists, st.permutations(list(range(14))))
async def test_order_does_not_matter(events: list[GradeEvent], order: list[int]) -> None:
    shuffled = [events[i] for i in order if i < len(events)]
    assert await observe_events(events) == await observe_events(*[[e] for e in shuffled])


@modest
@given(event_lists)
async def test_duplicates_count_once(events: list[GradeEvent]) -> None:
    once = await observe_events(events)
    assert await observe_events(events, events, events[::-1]) == once
    assert await observe_events(events + events) == once


def another_grade_of_its_slot(
    grade: TaskGraded,
    new_grade: Decimal,
    graded_later_by: int,
    accepted_later_by: timedelta = timedelta(0),
) -> TaskGraded:
    """A new event for the same student, course and task, with the other on_time flag."""
    return dataclasses.replace(
        grade,
        event_id=uuid.uuid4(),
        grade=new_grade,
        on_time=not grade.on_time,
        graded_at=grade.graded_at + timedelta(seconds=graded_later_by),
        accepted_at=grade.accepted_at + accepted_later_by,
    )


def without_slot(events: list[GradeEvent], grade: TaskGraded) -> list[GradeEvent]:
    """The events but the task grades of `grade`'s slot."""
    return [e for e in events if not (isinstance(e, TaskGraded) and e.slot == grade.slot)]


@modest
@given(event_lists, task_events, grades, st.integers(1, 10_000))
async def test_a_regrade_replaces_the_grade_everywhere(
    events: list[GradeEvent], first: TaskGraded, new_grade: Decimal, later_by: int
) -> None:
    regrade = another_grade_of_its_slot(first, new_grade, graded_later_by=later_by)
    others = without_slot(events, first)
    assert await observe_events([first, *others], [regrade]) == await observe_events(
        [*others, regrade]
    )


@modest
@given(event_lists, task_events, grades, st.integers(1, 10_000))
async def test_an_older_grade_arriving_late_is_ignored(
    events: list[GradeEvent], newer: TaskGraded, old_grade: Decimal, earlier_by: int
) -> None:
    late_older = another_grade_of_its_slot(  # accepted later, graded earlier
        newer, old_grade, graded_later_by=-earlier_by, accepted_later_by=timedelta(days=1)
    )
    others = without_slot(events, newer)
    assert await observe_events([*others, newer], [late_older]) == await observe_events(
        [*others, newer]
    )


@modest
@given(event_lists)
async def test_every_average_lies_between_the_least_and_greatest_grade(
    events: list[GradeEvent],
) -> None:
    """Rounding is monotone, so a rounded mean lies between the rounded extremes."""
    service = build_service()
    await record(service, events)

    def between(value: float | None, grades: list[Fraction]) -> bool:
        return value is not None and rounded(min(grades)) <= value <= rounded(max(grades))

    tasks = current_task_grades(events)
    for c in COURSES:
        for t in TASKS:
            view = await service.task_averages(GetTaskAverages(c, t))
            for_task = fractions(g for g in tasks if g.course_id == c and g.task_id == t)
            assert (view.group_average is None) == (not for_task)
            if for_task:
                assert between(view.group_average, for_task)
                averages = [s.average_grade or 0.0 for s in view.students]
                assert averages == sorted(averages, reverse=True)
        of_course = fractions(e for e in course_grades(events) if e.course_id == c)
        for g in GROUPINGS:
            view_c = await service.course_average(GetCourseAverage(c, group_by=g))
            assert all(between(p.average_grade, of_course) for p in view_c.averages)
            view_o = await service.on_time(GetOnTimePercentage(c, group_by=g))
            for o in view_o.data:
                assert o.percentage is not None and 0 <= o.percentage <= 100
                assert 0 <= o.on_time_count <= o.total_count
        in_course = fractions(g for g in tasks if g.course_id == c)
        for s in STUDENTS:
            comparison = await service.comparison(GetStudentTaskComparison(s, c))
            if comparison.student_average is not None:
                assert between(comparison.student_average, in_course)
