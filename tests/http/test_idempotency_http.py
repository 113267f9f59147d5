"""Idempotency keys (an `event_id` in the body, or an Idempotency-Key header) never drop a grade
silently: the same key with the same grade is answered again and counted once; with another grade
it is a 422 naming the key; while the first request is still being queued, a 409."""

import uuid
from datetime import timedelta
from decimal import Decimal

from dependency_injector import providers
from http_api import PROBLEM_JSON, Api
from test_ops_http import scrape, value

from adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from application.commands import SubmitTaskGrade, fingerprint

ANA = "00000000-0000-4000-8000-00000000000a"
BEN = "00000000-0000-4000-8000-00000000000b"
COURSE_GRADE = "/stats/student/grade"
TASK_GRADE = "/stats/student/task/grade"
BATCH = "/stats/grades/batch"


def grade(**changes: object) -> dict[str, object]:
    return {"student_id": ANA, "course_id": "c1", "task_id": "t1", "grade": 7, **changes}


async def test_the_same_event_id_and_grade_is_answered_again_and_counted_once(api: Api) -> None:
    body = grade(event_id=str(uuid.uuid4()), graded_at="2026-01-15T10:00:00Z")
    first = await api.post(TASK_GRADE, body)
    api.clock.advance(timedelta(hours=23))
    # the same grade written another way: 7.0 for 7, the same moment in another offset
    again = await api.post(TASK_GRADE, {**body, "grade": 7.0,
                                        "graded_at": "2026-01-15T07:00:00-03:00"})
    assert first.status == again.status == 200
    assert first.body == again.body
    assert api.recorded() == 1
    metrics = await scrape(api)
    assert value(metrics, "events_accepted_total", kind="task_grade") == 1
    assert value(metrics, "events_repeated_total", kind="task_grade") == 1


async def test_the_same_event_id_with_another_grade_is_refused_by_name(api: Api) -> None:
    event_id = str(uuid.uuid4())
    assert (await api.post(TASK_GRADE, grade(event_id=event_id))).status == 200
    for changed in (grade(event_id=event_id, grade=8), grade(event_id=event_id, on_time=False),
                    grade(event_id=event_id, student_id=BEN), grade(event_id=event_id,
                                                                    task_id="t2")):
        reply = await api.post(TASK_GRADE, changed)
        assert (reply.status, reply.content_type) == (422, PROBLEM_JSON), reply.body
        assert reply.body["event_ids"] == [event_id]
        assert event_id in reply.body["detail"]
        assert reply.body["errors"] == [
            {"field": "event_id", "message": f"{event_id} already names another grade"}
        ]
    assert api.recorded() == 1
    averages = await api.get("/stats/course/c1/task/t1/averages")
    assert averages.body["students"][0]["average_grade"] == 7.0
    metrics = await scrape(api)
    assert value(metrics, "events_rejected_total", reason="reused_event_id") == 4


async def test_an_idempotency_key_with_another_body_is_refused(api: Api) -> None:
    headers = {"Idempotency-Key": "order-17"}
    first = await api.post(COURSE_GRADE, {"student_id": ANA, "course_id": "c1", "grade": 4},
                           headers)
    reply = await api.post(COURSE_GRADE, {"student_id": ANA, "course_id": "c1", "grade": 5},
                           headers)
    assert reply.status == 422
    assert reply.body["event_ids"] == [first.body["event_id"]]
    assert api.recorded() == 1


async def test_a_key_still_being_queued_is_a_409_and_nothing_is_queued(api: Api) -> None:
    event_id = uuid.uuid4()
    keys = api.container.adapters.idempotency_keys()
    command = SubmitTaskGrade(uuid.UUID(ANA), "c1", "t1", Decimal(7), event_id=event_id)
    assert await keys.claim([(event_id, fingerprint(command))], 60) == [None]
    reply = await api.post(TASK_GRADE, grade(event_id=str(event_id)))
    assert (reply.status, reply.headers["Retry-After"]) == (409, "1"), reply.body
    assert reply.body["event_ids"] == [str(event_id)]
    assert api.recorded() == 0
    await keys.answered([(event_id, fingerprint(command))], 60)
    assert (await api.post(TASK_GRADE, grade(event_id=str(event_id)))).status == 200
    assert api.recorded() == 0  # answered by the first request: not queued twice


async def test_a_batch_reusing_a_key_for_another_grade_queues_nothing(api: Api) -> None:
    used = str(uuid.uuid4())
    assert (await api.post(TASK_GRADE, grade(event_id=used))).status == 200
    events = [{"kind": "task_grade", **grade(student_id=BEN, event_id=str(uuid.uuid4()))},
              {"kind": "task_grade", **grade(event_id=used, grade=2)}]
    reply = await api.post(BATCH, {"events": events})
    assert reply.status == 422 and reply.body["event_ids"] == [used]
    assert api.recorded() == 1


async def test_a_batch_naming_one_id_twice(api: Api) -> None:
    same = str(uuid.uuid4())
    twice = [{"kind": "task_grade", **grade(event_id=same)}] * 2
    reply = await api.post(BATCH, {"events": twice})
    assert reply.status == 202 and reply.body["event_ids"] == [same, same]
    assert api.recorded() == 1
    other = str(uuid.uuid4())
    differing = [{"kind": "task_grade", **grade(event_id=other)},
                 {"kind": "task_grade", **grade(event_id=other, grade=3)}]
    reply = await api.post(BATCH, {"events": differing})
    assert reply.status == 422 and reply.body["event_ids"] == [other]
    assert api.recorded() == 1


async def test_a_batch_retried_whole_is_answered_again(api: Api) -> None:
    events = [{"kind": "task_grade", **grade(student_id=s, event_id=str(uuid.uuid4()))}
              for s in (ANA, BEN)]
    first = await api.post(BATCH, {"events": events})
    again = await api.post(BATCH, {"events": events})
    assert first.status == again.status == 202 and first.body == again.body
    assert api.recorded() == 2


async def test_a_grade_without_a_key_is_never_refused(api: Api) -> None:
    for _ in range(2):
        assert (await api.post(TASK_GRADE, grade())).status == 200
    assert api.recorded() == 2


async def test_invalid_grades_are_counted_as_rejected(api: Api) -> None:
    assert (await api.post(TASK_GRADE, grade(grade=11))).status == 400
    events = [{"kind": "task_grade", **grade(grade=g)} for g in (1, 12, 3)]
    assert (await api.post(BATCH, {"events": events})).status == 422
    metrics = await scrape(api)
    assert value(metrics, "events_rejected_total", reason="invalid") == 4
    assert value(metrics, "events_accepted_total", kind="task_grade") == 0


async def test_past_the_window_a_reused_id_is_still_refused_when_recorded_at_once(
    api: Api,
) -> None:
    """Without a queue a grade is recorded before its answer: the store tells that the id
    names another grade, though the keys were forgotten (a restart, or the window passed)."""
    event_id = str(uuid.uuid4())
    assert (await api.post(TASK_GRADE, grade(event_id=event_id))).status == 200
    api.container.adapters.idempotency_keys.override(providers.Object(InMemoryIdempotencyKeys()))
    api.container.use_cases.submit_grades.reset()
    events = [{"kind": "task_grade", **grade(student_id=BEN)},
              {"kind": "task_grade", **grade(event_id=event_id, grade=2)}]
    reply = await api.post(BATCH, {"events": events})
    assert reply.status == 422 and reply.body["event_ids"] == [event_id]
    assert api.recorded() == 1
    again = await api.post(TASK_GRADE, grade(event_id=event_id))  # the same grade: a retry
    assert again.status == 200 and api.recorded() == 1
