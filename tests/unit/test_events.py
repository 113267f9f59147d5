import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from domain.events import TaskGraded, supersedes

STUDENT = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def task_grade(
    graded_at: datetime = T0,
    accepted_at: datetime = T0,
    event_id: uuid.UUID | None = None,
    grade: str = "7",
) -> TaskGraded:
    return TaskGraded(
        event_id or uuid.uuid4(), STUDENT, "c1", "t1", Decimal(grade), True, graded_at, accepted_at
    )


def test_anything_supersedes_nothing() -> None:
    assert supersedes(task_grade(), None)


def test_a_later_grading_supersedes_an_earlier_one() -> None:
    old, new = task_grade(T0), task_grade(T0 + timedelta(seconds=1))
    assert supersedes(new, old)
    assert not supersedes(old, new)


def test_an_older_grading_accepted_later_does_not() -> None:
    newer = task_grade(T0 + timedelta(hours=1), accepted_at=T0 + timedelta(hours=1))
    late_older = task_grade(T0, accepted_at=T0 + timedelta(days=1))
    assert not supersedes(late_older, newer)


def test_on_equal_grading_times_the_later_accepted_wins() -> None:
    first = task_grade(T0, accepted_at=T0 + timedelta(minutes=1))
    second = task_grade(T0, accepted_at=T0 + timedelta(minutes=2))
    assert supersedes(second, first)
    assert not supersedes(first, second)


def test_grading_times_are_compared_as_instants_whatever_the_offset() -> None:
    # 11:30 at +02:00 is 09:30 UTC: earlier than 10:00 UTC though the wall clock says later
    east = task_grade(datetime(2025, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2))))
    assert supersedes(task_grade(T0), east)
    assert not supersedes(east, task_grade(T0))


def test_a_full_tie_is_broken_by_event_id_both_ways_consistently() -> None:
    low = task_grade(event_id=uuid.UUID(int=1))
    high = task_grade(event_id=uuid.UUID(int=2))
    assert supersedes(high, low)
    assert not supersedes(low, high)


def test_an_event_does_not_supersede_itself() -> None:
    event = task_grade()
    assert not supersedes(event, event)


def test_slot_names_student_course_and_task() -> None:
    assert task_grade().slot == (STUDENT, "c1", "t1")
