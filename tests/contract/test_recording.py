"""GradeStore and UnitOfWork: idempotent recording, the recency rule, transactions."""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from adapter_sets import AdapterSet

from application.ports import GradeScope
from domain.events import CourseGraded, GradeEvent, TaskGraded
from domain.statistics import Tally

STUDENT = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER_STUDENT = uuid.UUID("00000000-0000-4000-8000-000000000002")
T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def course_grade(grade: str, *, at: datetime = T0, on_time: bool = True) -> CourseGraded:
    return CourseGraded(uuid.uuid4(), STUDENT, "math", Decimal(grade), on_time, at, at)


def task_grade(
    grade: str,
    *,
    graded_at: datetime = T0,
    accepted_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
    student: uuid.UUID = STUDENT,
    task: str = "essay",
    on_time: bool = True,
) -> TaskGraded:
    return TaskGraded(
        event_id or uuid.uuid4(),
        student,
        "math",
        task,
        Decimal(grade),
        on_time,
        graded_at,
        accepted_at or graded_at,
    )


async def record(adapters: AdapterSet, events: Sequence[GradeEvent]) -> int:
    return await adapters.record(events)


async def current_grade(adapters: AdapterSet, task: str = "essay") -> Decimal | None:
    """The current grade of STUDENT's task, read back through the StatsReader."""
    tallies = {
        t.student_id: t.tally
        for t in await adapters.stats_reader.task_tallies_for_task("math", task)
    }
    tally = tallies.get(STUDENT)
    return None if tally is None else tally.total


async def course_tally(adapters: AdapterSet) -> Tally:
    return (await adapters.stats_reader.student_course(STUDENT, "math")).course_grades


async def test_a_course_grade_counts_once_per_event_id(adapters: AdapterSet) -> None:
    grade = course_grade("8")
    assert await record(adapters, [grade, grade]) == 1
    assert await record(adapters, [grade]) == 0
    assert await course_tally(adapters) == Tally(1, Decimal(8), 1)


async def test_distinct_course_grades_all_count(adapters: AdapterSet) -> None:
    assert await record(adapters, [course_grade("8"), course_grade("6", on_time=False)]) == 2
    assert await record(adapters, [course_grade("8")]) == 1
    assert await course_tally(adapters) == Tally(3, Decimal(22), 2)


async def test_a_regrade_replaces_the_current_grade(adapters: AdapterSet) -> None:
    assert await record(adapters, [task_grade("4")]) == 1
    assert await record(adapters, [task_grade("9", graded_at=T0 + timedelta(hours=1))]) == 1
    assert await current_grade(adapters) == Decimal(9)
    summary = await adapters.stats_reader.student_course(STUDENT, "math")
    assert summary.task_grades == Tally(1, Decimal(9), 1)


async def test_an_older_grade_arriving_late_is_ignored(adapters: AdapterSet) -> None:
    assert await record(adapters, [task_grade("9", graded_at=T0 + timedelta(hours=1))]) == 1
    assert await record(adapters, [task_grade("4", graded_at=T0)]) == 0
    assert await current_grade(adapters) == Decimal(9)


async def test_a_redelivered_task_grade_changes_nothing(adapters: AdapterSet) -> None:
    first = task_grade("4")
    regrade = task_grade("9", graded_at=T0 + timedelta(hours=1))
    assert await record(adapters, [first, regrade]) == 2
    assert await record(adapters, [first, regrade]) == 0
    assert await record(adapters, [first]) == 0
    assert await current_grade(adapters) == Decimal(9)


@pytest.mark.parametrize("arrival", ["in order", "reversed"])
async def test_same_graded_at_the_later_accepted_wins(adapters: AdapterSet, arrival: str) -> None:
    earlier = task_grade("4", accepted_at=T0 + timedelta(seconds=1))
    later = task_grade("7", accepted_at=T0 + timedelta(seconds=2))
    for event in [earlier, later] if arrival == "in order" else [later, earlier]:
        await record(adapters, [event])
    assert await current_grade(adapters) == Decimal(7)


@pytest.mark.parametrize("arrival", ["in order", "reversed"])
async def test_same_times_the_greater_event_id_wins(adapters: AdapterSet, arrival: str) -> None:
    low = task_grade("4", event_id=uuid.UUID("10000000-0000-4000-8000-000000000000"))
    # Greater as a UUID (and as bytes) though not as the first hex digit's signed byte.
    high = task_grade("7", event_id=uuid.UUID("f0000000-0000-4000-8000-000000000000"))
    for event in [low, high] if arrival == "in order" else [high, low]:
        await record(adapters, [event])
    assert await current_grade(adapters) == Decimal(7)


async def test_several_grades_of_one_slot_in_one_batch(adapters: AdapterSet) -> None:
    oldest = task_grade("1", graded_at=T0)
    middle = task_grade("2", graded_at=T0 + timedelta(hours=1))
    newest = task_grade("3", graded_at=T0 + timedelta(hours=2))
    # Each event counts if, at its turn, it beats everything before it: oldest and newest do.
    assert await record(adapters, [oldest, newest, middle]) == 2
    assert await current_grade(adapters) == Decimal(3)


async def test_a_batch_counts_against_the_stored_grade(adapters: AdapterSet) -> None:
    stored = task_grade("5", graded_at=T0 + timedelta(hours=2))
    await record(adapters, [stored])
    older = task_grade("1", graded_at=T0 + timedelta(hours=1))
    newer = task_grade("8", graded_at=T0 + timedelta(hours=3))
    newest = task_grade("9", graded_at=T0 + timedelta(hours=4))
    assert await record(adapters, [older, newest, newer, older, stored]) == 1
    assert await current_grade(adapters) == Decimal(9)
    assert await record(adapters, [newer]) == 0
    assert await current_grade(adapters) == Decimal(9)


async def test_a_batch_in_arrival_order_counts_every_step(adapters: AdapterSet) -> None:
    steps = [task_grade(str(i), graded_at=T0 + timedelta(hours=i)) for i in range(5)]
    assert await record(adapters, steps) == 5
    assert await current_grade(adapters) == Decimal(4)


async def test_a_duplicate_in_one_batch_counts_once(adapters: AdapterSet) -> None:
    grade = task_grade("6")
    assert await record(adapters, [grade, grade, grade]) == 1


async def test_slots_are_independent(adapters: AdapterSet) -> None:
    events = [
        task_grade("9", graded_at=T0 + timedelta(hours=1)),
        task_grade("2", task="quiz"),
        task_grade("3", student=OTHER_STUDENT),
        task_grade("4"),  # older than the first: ignored
    ]
    assert await record(adapters, events) == 3
    by_student = await adapters.stats_reader.task_tallies_by_student("math")
    assert sorted((t.student_id, t.tally) for t in by_student) == [
        (STUDENT, Tally(2, Decimal(11), 2)),
        (OTHER_STUDENT, Tally(1, Decimal(3), 1)),
    ]


async def test_the_same_event_id_for_a_course_and_a_task_grade_are_distinct(
    adapters: AdapterSet,
) -> None:
    shared = uuid.uuid4()
    task = task_grade("6", event_id=shared)
    course = CourseGraded(shared, STUDENT, "math", Decimal(7), True, T0, T0)
    assert await record(adapters, [task, course]) == 2


async def test_leaving_without_commit_rolls_back(adapters: AdapterSet) -> None:
    async with adapters.unit_of_work() as uow:
        assert await uow.grades.record([course_grade("8"), task_grade("5")]) == 2
    assert await course_tally(adapters) == Tally()
    assert await current_grade(adapters) is None
    assert await record(adapters, [task_grade("5")]) == 1  # nothing left behind blocks it


async def test_an_error_in_the_block_rolls_back(adapters: AdapterSet) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with adapters.unit_of_work() as uow:
            await uow.grades.record([course_grade("8")])
            raise RuntimeError("boom")
    assert await course_tally(adapters) == Tally()


async def test_work_after_a_commit_needs_its_own_commit(adapters: AdapterSet) -> None:
    async with adapters.unit_of_work() as uow:
        await uow.grades.record([course_grade("8")])
        await uow.commit()
        await uow.grades.record([course_grade("2")])
    assert await course_tally(adapters) == Tally(1, Decimal(8), 1)


async def test_uncommitted_grades_are_not_read(adapters: AdapterSet) -> None:
    async with adapters.unit_of_work() as uow:
        await uow.grades.record([course_grade("8")])
        series = await adapters.stats_reader.course_grade_series(GradeScope(student_id=STUDENT))
        assert series.overall == Tally()
        await uow.commit()
    assert await course_tally(adapters) == Tally(1, Decimal(8), 1)


async def reused_ids(adapters: AdapterSet, grades: Sequence[CourseGraded | TaskGraded]) -> set:
    async with adapters.unit_of_work() as uow:
        return await uow.grades.reused_ids(grades)


async def test_an_id_held_for_another_grade_is_reused_and_a_redelivery_is_not(
    adapters: AdapterSet,
) -> None:
    task = task_grade("7.5")
    course = course_grade("8")
    await record(adapters, [task, course])
    elsewhere = T0.astimezone(timezone(timedelta(hours=-3)))
    same = [
        replace(task, grade=Decimal("7.50")),
        replace(task, graded_at=elsewhere, accepted_at=T0 + timedelta(days=2)),
        course,
        task_grade("9"),  # a new id
    ]
    assert await reused_ids(adapters, same) == set()
    differing = [
        replace(task, grade=Decimal("7.51")),
        replace(task, on_time=False),
        replace(task, task_id="other"),
        replace(task, student_id=OTHER_STUDENT),
        replace(task, graded_at=T0 + timedelta(seconds=1)),
        replace(course, course_id="physics"),
        replace(course, grade=Decimal("8.5")),
    ]
    for grade in differing:
        assert await reused_ids(adapters, [grade]) == {grade.event_id}, grade
