"""The change feed in memory: every subscriber hears each commit's courses and students, nothing
for a rollback, and a slow subscriber gets one RESET instead of a growing backlog. Also the
PostgreSQL notices' encoding, which needs no server."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.change_fanout import ChangeFanOut
from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.postgres.change_notices import ANYTHING, PAYLOAD_LIMIT, change_of, notices
from application.ports.changes import RESET, Change
from domain.events import CourseGraded, StudentErased, TaskGraded

T0 = datetime(2025, 3, 1, tzinfo=UTC)
ANA, BEN = uuid.uuid4(), uuid.uuid4()


def task_grade(student: uuid.UUID, course: str, grade: str = "7", hours: int = 0) -> TaskGraded:
    at = T0 + timedelta(hours=hours)
    return TaskGraded(uuid.uuid4(), student, course, "essay", Decimal(grade), True, at, at)


def course_grade(student: uuid.UUID, course: str) -> CourseGraded:
    return CourseGraded(uuid.uuid4(), student, course, Decimal(8), True, T0, T0)


def pending(subscription: object) -> list[Change]:
    """What a subscription holds now, taken without waiting."""
    queue = subscription._pending  # type: ignore[attr-defined]
    return [queue.get_nowait() for _ in range(queue.qsize())]


async def record(database: InMemoryDatabase, *events: object, commit: bool = True) -> None:
    async with InMemoryUnitOfWork(database) as uow:
        await uow.grades.record(list(events))  # type: ignore[arg-type]
        if commit:
            await uow.commit()


async def test_every_subscriber_hears_a_commits_courses_and_students() -> None:
    database = InMemoryDatabase()
    with database.changes.subscribe() as first, database.changes.subscribe() as second:
        await record(database, task_grade(ANA, "math"), course_grade(BEN, "art"))
        expected = Change(frozenset({"math", "art"}), frozenset({ANA, BEN}))
        assert await anext(first) == expected
        assert await anext(second) == expected


async def test_a_rolled_back_transaction_announces_nothing() -> None:
    database = InMemoryDatabase()
    with database.changes.subscribe() as changes:
        await record(database, task_grade(ANA, "math"), commit=False)
        await record(database, task_grade(BEN, "art"))
        assert pending(changes) == [Change(frozenset({"art"}), frozenset({BEN}))]


async def test_a_duplicate_changes_nothing_and_announces_nothing() -> None:
    database = InMemoryDatabase()
    grade = task_grade(ANA, "math")
    await record(database, grade)
    with database.changes.subscribe() as changes:
        await record(database, grade)
        assert pending(changes) == []


async def test_an_erasure_names_every_course_the_student_had_grades_in() -> None:
    database = InMemoryDatabase()
    await record(database, task_grade(ANA, "math"), course_grade(ANA, "art"))
    await record(database, task_grade(BEN, "music"))
    with database.changes.subscribe() as changes:
        await record(database, StudentErased(uuid.uuid4(), ANA, T0 + timedelta(days=1)))
        assert pending(changes) == [Change(frozenset({"math", "art"}), frozenset({ANA}))]


async def test_a_slow_subscriber_gets_one_reset_and_does_not_hold_up_others() -> None:
    fan_out = ChangeFanOut(max_pending=3)
    with fan_out.subscribe() as slow, fan_out.subscribe() as quick:
        for n in range(10):
            fan_out.publish_changed([f"c{n}"], [])
            assert await anext(quick) == Change(frozenset({f"c{n}"}))
        held = pending(slow)
    assert held[0] == RESET
    assert len(held) <= 3
    assert held[1:] == [Change(frozenset({f"c{n}"})) for n in range(10 - len(held) + 1, 10)]


async def test_a_closed_subscription_ends_and_hears_nothing_more() -> None:
    fan_out = ChangeFanOut()
    subscription = fan_out.subscribe()
    subscription.close()
    fan_out.publish(RESET)
    assert pending(subscription) == []
    assert [change async for change in subscription] == []


def test_a_notice_names_what_it_was_given() -> None:
    students = {ANA, BEN}
    [notice] = notices(["math", "art", "math"], students)
    assert len(notice.encode()) <= PAYLOAD_LIMIT
    assert change_of(notice) == Change(frozenset({"math", "art"}), frozenset(students))


def test_many_ids_are_split_over_notices_within_the_payload_limit() -> None:
    courses = [f"course-{n:05}" for n in range(600)]
    students = [uuid.uuid4() for _ in range(300)]
    split = notices(courses, students)
    assert len(split) > 1
    assert all(len(n.encode()) <= PAYLOAD_LIMIT for n in split)
    assert all(json.loads(n) for n in split)
    changes = [change_of(n) for n in split]
    assert set().union(*(c.courses for c in changes)) == set(courses)
    assert set().union(*(c.students for c in changes)) == set(students)


def test_too_many_ids_become_one_notice_that_anything_may_have_changed() -> None:
    students = [uuid.uuid4() for _ in range(5000)]
    assert notices([], students) == [ANYTHING]
    assert change_of(ANYTHING) == RESET


def test_nothing_to_name_sends_no_notice_and_an_unreadable_one_is_a_reset() -> None:
    assert notices([], []) == []
    assert change_of('{"c": [1, 2]}') == RESET
    assert change_of("not json") == RESET
