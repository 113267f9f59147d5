"""A write the queue does not confirm (Redis frozen, answering past STATS_QUEUE_TIMEOUT) may
still be queued: the 503 says so and names the event ids, and a retry with them counts once."""

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from dependency_injector import providers
from http_api import PROBLEM_JSON, Api

from application.ports import EventQueue
from application.ports.errors import QueueUnavailable
from domain.events import GradeEvent

ANA = "00000000-0000-4000-8000-00000000000a"
GRADE = {"student_id": ANA, "course_id": "c1", "grade": 7}
TASK_GRADE = {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7.5}


class LateQueue:
    """Queues what it is given, but the first `late` times answers as a frozen Redis that
    applies the write after the publisher gave up on it."""

    def __init__(self, queue: EventQueue, late: int = 1) -> None:
        self._queue = queue
        self.late = late

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        await self._queue.publish(events)
        if self.late:
            self.late -= 1
            raise QueueUnavailable("no answer from the queue within 2 s")


@pytest.fixture
def late(api: Api) -> LateQueue:
    use_cases = api.container.use_cases
    queue = LateQueue(use_cases.event_queue())
    use_cases.event_queue.override(providers.Object(queue))
    use_cases.submit_grades.reset()
    use_cases.erase_student.reset()
    return queue


def ids_named(reply: Any) -> list[str]:
    assert reply.status == 503 and reply.content_type == PROBLEM_JSON, reply.body
    assert reply.headers["Retry-After"] == "1"
    assert "may or may not have been queued" in reply.body["detail"]
    for event_id in reply.body["event_ids"]:
        assert event_id in reply.body["detail"]
    return list(reply.body["event_ids"])


@pytest.mark.parametrize(
    ("path", "body"), [("/stats/student/grade", GRADE), ("/stats/student/task/grade", TASK_GRADE)]
)
async def test_an_unconfirmed_grade_names_its_new_event_id_and_its_retry_counts_once(
    api: Api, late: LateQueue, path: str, body: dict[str, Any]
) -> None:
    [event_id] = ids_named(await api.post(path, body))
    uuid.UUID(event_id)  # made by the service: the client sent none
    assert api.recorded() == 1  # queued after all
    retry = await api.post(path, {**body, "event_id": event_id})
    assert retry.status == 200 and retry.body["event_id"] == event_id
    assert api.recorded() == 1


async def test_an_unconfirmed_grade_names_the_event_id_the_client_gave(
    api: Api, late: LateQueue
) -> None:
    given = str(uuid.uuid4())
    headers = {"Idempotency-Key": given}
    assert ids_named(await api.post("/stats/student/grade", GRADE, headers)) == [given]
    assert (await api.post("/stats/student/grade", GRADE, headers)).status == 200
    assert api.recorded() == 1


async def test_an_unconfirmed_batch_names_every_event_id_and_its_retry_counts_once(
    api: Api, late: LateQueue
) -> None:
    events = [{"kind": "course_grade", **GRADE}, {"kind": "task_grade", **TASK_GRADE}]
    reply = await api.post("/stats/grades/batch", {"events": events})
    event_ids = ids_named(reply)
    assert len(set(event_ids)) == 2 and "these event_ids" in reply.body["detail"]
    assert api.recorded() == 2
    retry = [{**event, "event_id": i} for event, i in zip(events, event_ids, strict=True)]
    assert (await api.post("/stats/grades/batch", {"events": retry})).status == 202
    assert api.recorded() == 2


async def test_an_unconfirmed_erasure_names_its_event_id(api: Api, late: LateQueue) -> None:
    [event_id] = ids_named(await api.send("DELETE", f"/stats/student/{ANA}"))
    uuid.UUID(event_id)


async def test_a_queue_refusing_before_any_event_exists_is_a_plain_503(api: Api) -> None:
    """Nothing was published (the use case never ran): no ids to name, nothing queued."""

    class DownQueue:
        async def publish(self, events: Sequence[GradeEvent]) -> None:
            raise QueueUnavailable("Redis is down")

    api.container.use_cases.submit_grades.override(
        providers.Object(lambda commands, now: DownQueue().publish([]))
    )
    reply = await api.post("/stats/student/grade", GRADE)
    assert reply.status == 503 and "event_ids" not in reply.body
    assert "try again shortly" in reply.body["detail"]
