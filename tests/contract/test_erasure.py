"""StudentErased: every grade of the student accepted up to the erasure goes, from every
statistic, and stays gone; grades accepted afterwards count as usual."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from adapter_sets import AdapterSet
from example_students import ANA, BEN

from adapters.postgres import ConnectionPool
from application.ports import GradeScope
from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded
from domain.periods import GroupBy
from domain.statistics import Tally

T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def course_grade(
    student: uuid.UUID, grade: str, *, accepted: float = 0, graded: float | None = None
) -> CourseGraded:
    graded_at = at(accepted if graded is None else graded)
    return CourseGraded(
        uuid.uuid4(), student, "math", Decimal(grade), True, graded_at, at(accepted)
    )


def task_grade(
    student: uuid.UUID,
    grade: str,
    *,
    task: str = "essay",
    accepted: float = 0,
    graded: float | None = None,
    on_time: bool = True,
) -> TaskGraded:
    graded_at = at(accepted if graded is None else graded)
    return TaskGraded(
        uuid.uuid4(), student, "math", task, Decimal(grade), on_time, graded_at, at(accepted)
    )


def erasure(student: uuid.UUID, up_to: float) -> StudentErased:
    return StudentErased(uuid.uuid4(), student, at(up_to))


async def everything_of(adapters: AdapterSet, student: uuid.UUID) -> dict[str, object]:
    """What every read says about the student, and about the course as a whole."""
    stats = adapters.stats_reader
    course = await stats.student_course(student, "math")
    return {
        "course grades": course.course_grades,
        "task grades": course.task_grades,
        "average": (
            await stats.course_grade_series(GradeScope(group_by=GroupBy.DAY, student_id=student))
        ).overall,
        "on time": await stats.on_time_series(GradeScope(course_id="math", student_id=student)),
        "in comparison": [
            t for t in await stats.task_tallies_by_student("math") if t.student_id == student
        ],
        "in task": [
            t for t in await stats.task_tallies_for_task("math", "essay") if t.student_id == student
        ],
    }


NOTHING = {
    "course grades": Tally(),
    "task grades": Tally(),
    "average": Tally(),
    "on time": [],
    "in comparison": [],
    "in task": [],
}


async def test_an_erasure_removes_every_grade_and_counts_the_events(adapters: AdapterSet) -> None:
    first, regrade = task_grade(ANA, "4", accepted=0), task_grade(ANA, "9", accepted=1)
    await adapters.record(
        [course_grade(ANA, "8"), course_grade(ANA, "6", accepted=1), first, regrade]
    )
    await adapters.record([course_grade(BEN, "5"), task_grade(BEN, "7")])
    # Four events: two course grades, the current task grade and the one it replaced.
    assert await adapters.record([erasure(ANA, up_to=2)]) == 4
    assert await everything_of(adapters, ANA) == NOTHING
    course = await adapters.stats_reader.course_grade_series(GradeScope(course_id="math"))
    assert (course.overall, course.students) == (Tally(1, Decimal(5), 1), 1)
    on_time = await adapters.stats_reader.on_time_series(
        GradeScope(course_id="math", group_by=GroupBy.DAY)
    )
    assert [p.tally for p in on_time] == [Tally(1, Decimal(7), 1)]


async def test_erased_grades_arriving_again_are_ignored(adapters: AdapterSet) -> None:
    grades: list[GradeEvent] = [course_grade(ANA, "8"), task_grade(ANA, "4")]
    await adapters.record(grades)
    await adapters.record([erasure(ANA, up_to=1)])
    assert await adapters.record(grades) == 0  # a redelivery
    late = [course_grade(ANA, "3", accepted=0.5), task_grade(ANA, "2", accepted=1)]
    assert await adapters.record(late) == 0  # accepted before the erasure, recorded after it
    assert await everything_of(adapters, ANA) == NOTHING


async def test_grades_accepted_after_the_erasure_count(adapters: AdapterSet) -> None:
    await adapters.record([course_grade(ANA, "8"), task_grade(ANA, "4")])
    await adapters.record([erasure(ANA, up_to=1)])
    # Graded before the erasure, accepted after it: a new grade.
    after = [course_grade(ANA, "6", accepted=2, graded=0), task_grade(ANA, "5", accepted=2)]
    assert await adapters.record(after) == 2
    seen = await everything_of(adapters, ANA)
    assert seen["course grades"] == Tally(1, Decimal(6), 1)
    assert seen["task grades"] == Tally(1, Decimal(5), 1)


async def test_an_erasure_keeps_what_was_accepted_after_it(adapters: AdapterSet) -> None:
    await adapters.record(
        [course_grade(ANA, "8", accepted=0), course_grade(ANA, "6", accepted=5),
         task_grade(ANA, "4", task="quiz", accepted=0), task_grade(ANA, "9", accepted=5)]
    )
    assert await adapters.record([erasure(ANA, up_to=1)]) == 2
    seen = await everything_of(adapters, ANA)
    assert seen["course grades"] == Tally(1, Decimal(6), 1)
    assert seen["task grades"] == Tally(1, Decimal(9), 1)


async def test_order_within_a_batch(adapters: AdapterSet) -> None:
    before, after = course_grade(ANA, "8"), course_grade(ANA, "6")
    regrade_after = task_grade(ANA, "7", accepted=3)
    batch: list[GradeEvent] = [before, erasure(ANA, up_to=1), after, regrade_after]
    # `before` counts, then goes with the erasure (1); `after` is covered; the regrade is new.
    assert await adapters.record(batch) == 1 + 1 + 0 + 1
    seen = await everything_of(adapters, ANA)
    assert seen["course grades"] == Tally()
    assert seen["task grades"] == Tally(1, Decimal(7), 1)


async def test_a_later_erasure_covers_more_an_earlier_one_nothing_new(adapters: AdapterSet) -> None:
    await adapters.record([course_grade(ANA, "8", accepted=0), course_grade(ANA, "6", accepted=2)])
    assert await adapters.record([erasure(ANA, up_to=3)]) == 2
    assert await adapters.record([erasure(ANA, up_to=1)]) == 0
    # The tombstone keeps the latest moment: a grade accepted at 2.5 is still covered.
    assert await adapters.record([course_grade(ANA, "5", accepted=2.5)]) == 0
    assert await everything_of(adapters, ANA) == NOTHING


async def test_erasing_an_unknown_student(adapters: AdapterSet) -> None:
    assert await adapters.record([erasure(ANA, up_to=1)]) == 0
    assert await adapters.record([course_grade(ANA, "8", accepted=0)]) == 0
    assert await everything_of(adapters, ANA) == NOTHING


async def test_an_erasure_rolled_back_leaves_everything(adapters: AdapterSet) -> None:
    await adapters.record([course_grade(ANA, "8"), task_grade(ANA, "4")])
    before = await everything_of(adapters, ANA)
    async with adapters.unit_of_work() as uow:
        assert await uow.grades.record([erasure(ANA, up_to=1)]) == 2
    assert await everything_of(adapters, ANA) == before
    assert await adapters.record([course_grade(ANA, "5", accepted=0.5)]) == 1  # no tombstone


async def test_two_erasures_in_one_batch_count_each_event_once(adapters: AdapterSet) -> None:
    await adapters.record([course_grade(ANA, "8"), task_grade(ANA, "4")])
    assert await adapters.record([erasure(ANA, up_to=1), erasure(ANA, up_to=2)]) == 2


@pytest.mark.integration
async def test_nothing_of_an_erased_student_is_left_in_any_table(
    migrated_pool: ConnectionPool,
) -> None:
    from adapter_sets import postgres_adapters

    adapters = postgres_adapters(migrated_pool)
    await adapters.record(
        [course_grade(ANA, "8", accepted=0), course_grade(ANA, "6", accepted=1, graded=30),
         task_grade(ANA, "4"), task_grade(ANA, "9", accepted=1, graded=48),
         task_grade(ANA, "5", task="quiz"), course_grade(BEN, "7"), task_grade(BEN, "3")]
    )
    await adapters.record([erasure(ANA, up_to=2)])
    tables = await migrated_pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND data_type = 'uuid'"
    )
    assert {r["table_name"] for r in tables} >= {"course_grades", "student_course_tallies"}
    holding = {}
    for r in tables:
        found = await migrated_pool.fetchval(
            f'SELECT count(*) FROM "{r["table_name"]}" WHERE "{r["column_name"]}" = $1', ANA
        )
        if found:
            holding[f"{r['table_name']}.{r['column_name']}"] = found
    assert holding == {"student_erasures.student_id": 1}  # the tombstone, and nothing else
    assert await migrated_pool.fetchval("SELECT count(*) FROM course_grades") == 1


async def test_a_slot_falls_back_to_a_grade_accepted_after_the_erasure(
    adapters: AdapterSet,
) -> None:
    """The current grade (graded late, accepted early) is erased; a grade of the same task
    accepted after the erasure but graded earlier was recorded before the erasure arrived: it
    survives the erasure, so it becomes the task's grade."""
    early = task_grade(ANA, "9", accepted=0, graded=10)
    later = task_grade(ANA, "4", accepted=2, graded=5, on_time=False)
    assert await adapters.record([early]) == 1
    assert await adapters.record([later]) == 0  # older graded_at: not current
    assert await adapters.record([erasure(ANA, up_to=1)]) == 1
    course = await adapters.stats_reader.student_course(ANA, "math")
    assert course.task_grades == Tally(1, Decimal(4), 0)
    [in_task] = await adapters.stats_reader.task_tallies_for_task("math", "essay")
    assert (in_task.student_id, in_task.tally) == (ANA, Tally(1, Decimal(4), 0))
