"""SubmitGradesHandler with idempotency keys: a write that failed to queue leaves its key free."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from example_students import ANA

from adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from application.commands import SubmitCourseGrade, SubmitTaskGrade, fingerprint
from application.handlers.submit_grades import SubmitGradesHandler
from application.ports.errors import QueueUnavailable
from domain.errors import ReusedEventId
from domain.events import GradeEvent

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class Queue:
    def __init__(self) -> None:
        self.published: list[GradeEvent] = []
        self.fail = False

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        if self.fail:
            raise QueueUnavailable("down")
        self.published.extend(events)


def command(**changes: object) -> SubmitTaskGrade:
    fields: dict[str, object] = {"student_id": ANA, "course_id": "c1", "task_id": "t1",
                                 "grade": Decimal(7), "event_id": uuid.UUID(int=1)}
    fields.update(changes)
    return SubmitTaskGrade(**fields)  # type: ignore[arg-type]


async def test_a_failed_publish_frees_the_key_for_the_retry() -> None:
    queue = Queue()
    submit = SubmitGradesHandler(queue, InMemoryIdempotencyKeys())
    queue.fail = True
    with pytest.raises(QueueUnavailable):
        await submit([command()], NOW)
    queue.fail = False
    submitted = await submit([command()], NOW)
    assert submitted.repeated == 0 and len(queue.published) == 1


async def test_a_refused_request_frees_the_keys_it_claimed() -> None:
    queue = Queue()
    submit = SubmitGradesHandler(queue, InMemoryIdempotencyKeys())
    await submit([command()], NOW)
    fresh = command(event_id=uuid.UUID(int=2))
    with pytest.raises(ReusedEventId) as refused:
        await submit([fresh, command(grade=Decimal(8))], NOW)
    assert refused.value.event_ids == [uuid.UUID(int=1)] and not refused.value.in_flight
    assert (await submit([fresh], NOW)).repeated == 0  # its key was not kept
    assert len(queue.published) == 2


def test_a_fingerprint_is_what_the_grade_says() -> None:
    assert fingerprint(command()) == fingerprint(command(grade=Decimal("7.00")))
    assert fingerprint(command()) == fingerprint(command(event_id=uuid.UUID(int=9)))
    moment = datetime(2026, 1, 15, 10, tzinfo=UTC)
    assert fingerprint(command(graded_at=moment)) == fingerprint(
        command(graded_at=moment.astimezone(datetime.now().astimezone().tzinfo))
    )
    course = SubmitCourseGrade(ANA, "c1", Decimal(7), event_id=uuid.UUID(int=1))
    different = [command(grade=Decimal("7.01")), command(on_time=False), command(task_id="t2"),
                 command(course_id="c2"), command(student_id=uuid.UUID(int=5)), course,
                 command(graded_at=moment)]
    prints = {fingerprint(c) for c in different} | {fingerprint(command())}
    assert len(prints) == len(different) + 1


async def test_a_claim_left_by_a_dead_process_lapses_and_the_retry_is_accepted() -> None:
    """A process killed while queueing never answers nor releases its claim: its client's retry
    is refused as in flight only until the claim lapses, not for the whole window."""
    now = [0.0]
    keys = InMemoryIdempotencyKeys(clock=lambda: now[0])
    await keys.claim([(uuid.UUID(int=1), fingerprint(command()))], 10.0)  # then the process died
    queue = Queue()
    submit = SubmitGradesHandler(queue, keys, window=86_400.0, in_flight=10.0)
    with pytest.raises(ReusedEventId) as refused:
        await submit([command()], NOW)
    assert refused.value.in_flight
    now[0] = 10.5
    assert (await submit([command()], NOW)).repeated == 0 and len(queue.published) == 1
    now[0] = 3600.0  # answered: remembered for the window, not for the claim's lifetime
    assert (await submit([command()], NOW)).repeated == 1 and len(queue.published) == 1
