"""Recording never drops a grade that reuses another grade's event id: it is left out and
returned (the worker dead-letters it), or, answered at once, it refuses the whole batch."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler
from domain.errors import ReusedEventId
from domain.events import CourseGraded, TaskGraded

AT = datetime(2026, 1, 10, tzinfo=UTC)
ANA = uuid.UUID(int=1)


def task(grade: str, event_id: int) -> TaskGraded:
    return TaskGraded(uuid.UUID(int=event_id), ANA, "c1", "t1", Decimal(grade), True, AT, AT)


@pytest.fixture
def database() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def record(database: InMemoryDatabase) -> RecordGradesHandler:
    return RecordGradesHandler(lambda: InMemoryUnitOfWork(database))


async def test_a_reused_id_is_left_out_and_returned(
    record: RecordGradesHandler, database: InMemoryDatabase
) -> None:
    await record(RecordGrades([task("7", 1)]))
    reuse, fresh, again = task("3", 1), replace(task("9", 2), task_id="t2"), task("7", 1)
    recorded = await record(RecordGrades([reuse, fresh]))
    assert recorded.reused == (reuse,)
    assert recorded.changed == 1
    # an id naming two grades in one batch sets aside all of them (the stored one stays)
    assert (await record(RecordGrades([reuse, again]))).reused == (reuse, again)
    assert database.task_events[uuid.UUID(int=1)].grade == Decimal(7)
    assert uuid.UUID(int=2) in database.task_events


async def test_two_grades_under_one_id_in_one_batch_are_both_returned(
    record: RecordGradesHandler, database: InMemoryDatabase
) -> None:
    first, second = task("7", 5), task("8", 5)
    recorded = await record(RecordGrades([first, second]))
    assert recorded.reused == (first, second) and recorded.changed == 0
    assert database.task_events == {}


async def test_all_or_none_refuses_the_batch(
    record: RecordGradesHandler, database: InMemoryDatabase
) -> None:
    await record(RecordGrades([task("7", 1)]))
    course = CourseGraded(uuid.UUID(int=3), ANA, "c1", Decimal(5), True, AT, AT)
    with pytest.raises(ReusedEventId) as refused:
        await record(RecordGrades([course, task("3", 1)], all_or_none=True))
    assert refused.value.event_ids == [uuid.UUID(int=1)]
    assert database.course_grades == {}
