"""Writes: grades are validated and queued; workers record them.

The two single-grade paths are the old service's and answer as it did: `200` with `status` and
`result` (plus the `event_id`), so its clients keep working. The batch and the erasure, which it
did not have, answer `202 Accepted`: queued, to be recorded by a worker.

A retry with the same event id and grade is answered as the first time; an event id that names
another grade is refused (see application/handlers/submit_grades.py). Every event the API
refuses is counted by reason (`events_rejected_total`).
"""

import dataclasses
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import pydantic
from aiohttp import web

from application.commands import EraseStudent, SubmitGrade, SubmitTaskGrade
from application.handlers.submit_grades import Submitted
from application.ports.errors import Unavailable
from domain.errors import InvalidInput, ReusedEventId
from entrypoints.http.access import Access
from entrypoints.http.bodies import read_body, read_json
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.keys import CLOCK, METRICS, SETTINGS, USE_CASES
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.params import IDEMPOTENCY_KEY_SCHEMA, idempotency_key
from entrypoints.http.problems import BadRequest, field_errors
from entrypoints.http.schemas import CourseGradeBody, GradeBatchBody, TaskGradeBody
from entrypoints.http.write_guard import admit_write
from entrypoints.limits import QueueFull, TooManyRequests

endpoints = Endpoints(tag="grades")

IDEMPOTENCY_KEY = (
    "Makes a retried request count once (a UUID, or any 1-255 characters); must match the "
    "body's event_id when both are given. Within the idempotency window (24 h by default) the "
    "same key with the same grade is answered as the first time and not queued again; with "
    "another grade it is refused with 422; while its first request is still being queued, 409"
)
IDEMPOTENCY_HEADERS = {"Idempotency-Key": (IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_SCHEMA)}
WRITE_ERRORS = (400, 409, 413, 415, 422, 429, 503)


@dataclass(frozen=True, slots=True)
class BatchAccepted:
    count: int
    event_ids: list[uuid.UUID]


@dataclass(frozen=True, slots=True)
class Accepted:
    status: Literal[202]
    result: Literal["queued"]
    event_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Queued:
    status: Literal[200]
    result: Literal["queued"]
    event_id: uuid.UUID


ACCEPTED = Reply(Accepted, status=202, description="Queued; a worker will record it")
QUEUED = Reply(
    Queued, status=200,
    description="Queued; a worker will record it (200, as the old service answered)",
)


@endpoints.post(
    "/stats/student/grade",
    access=Access.WRITE,
    summary="Record a course-level grade",
    body=CourseGradeBody,
    headers=IDEMPOTENCY_HEADERS,
    reply=QUEUED,
    errors=WRITE_ERRORS,
)
async def post_course_grade(request: web.Request) -> web.Response:
    return await _queue_one(request, CourseGradeBody)


@endpoints.post(
    "/stats/student/task/grade",
    access=Access.WRITE,
    summary="Record a task grade (a regrade replaces the student's earlier grade of the task)",
    body=TaskGradeBody,
    headers=IDEMPOTENCY_HEADERS,
    reply=QUEUED,
    errors=WRITE_ERRORS,
)
async def post_task_grade(request: web.Request) -> web.Response:
    return await _queue_one(request, TaskGradeBody)


async def _queue_one(
    request: web.Request, body: type[CourseGradeBody | TaskGradeBody]
) -> web.Response:
    metrics = request.app[METRICS]
    now = request.app[CLOCK].now()
    limit = request.app[SETTINGS].limits.max_body_bytes
    with counting_refusals(metrics, 1):
        command = (await read_body(request, body, limit, now, inf_nan=True)).to_command()
        command = dataclasses.replace(command, event_id=idempotency_key(request, command.event_id))
        await admit_write(request, 1)
        submitted = await request.app[USE_CASES].submit_grades()([command], now)
    count_submitted(metrics, [command], submitted)
    return queued_response(submitted.event_ids[0])


def queued_response(event_id: uuid.UUID) -> web.Response:
    """`Queued(200, "queued", event_id)` as `QUEUED` renders it, written directly: this is the
    hottest write path, and the body is a fixed shape."""
    return web.Response(
        body=b'{"status":200,"result":"queued","event_id":"%s"}' % str(event_id).encode(),
        content_type="application/json",
    )


@contextmanager
def counting_refusals(metrics: HttpMetrics, events: int) -> Iterator[None]:
    """Count the `events` of a write the block refuses, by why, and let the refusal go on."""
    try:
        yield
    except Exception as refusal:
        reason = _why_refused(refusal)
        if reason is not None:
            metrics.events_rejected.labels(reason).inc(events)
        raise


def _why_refused(refusal: Exception) -> str | None:
    if isinstance(refusal, BadRequest | InvalidInput | pydantic.ValidationError):
        return "invalid"
    if isinstance(refusal, ReusedEventId):
        return "in_flight" if refusal.in_flight else "reused_event_id"
    if isinstance(refusal, TooManyRequests | QueueFull):
        return "throttled"
    if isinstance(refusal, Unavailable):
        return "unavailable"
    return None


def count_submitted(
    metrics: HttpMetrics, commands: Sequence[SubmitGrade], submitted: Submitted
) -> None:
    """Count what was queued and what was a retry, by kind."""
    kinds = ["task_grade" if isinstance(c, SubmitTaskGrade) else "course_grade" for c in commands]
    if not submitted.repeated:
        for kind, count in Counter(kinds).items():
            metrics.events_accepted.labels(kind).inc(count)
        return
    for (kind, again), count in Counter(
        (kind, event_id in submitted.repeated_ids)
        for kind, event_id in zip(kinds, submitted.event_ids, strict=True)
    ).items():
        counter = metrics.events_repeated if again else metrics.events_accepted
        counter.labels(kind).inc(count)


@endpoints.post(
    "/stats/grades/batch",
    access=Access.WRITE,
    summary="Record up to 10,000 grades at once: all of them, or none",
    description="Every event is validated first; any invalid event rejects the whole batch "
    "with 422 and an error per bad field, named like `events[3].grade`. Duplicate event ids, "
    "inside or across batches, count once.",
    body=GradeBatchBody,
    reply=Reply(BatchAccepted, status=202, description="Queued; workers will record them"),
    errors=(400, 409, 413, 415, 422, 429, 503),
)
async def post_grade_batch(request: web.Request) -> BatchAccepted:
    metrics = request.app[METRICS]
    now = request.app[CLOCK].now()
    limit = request.app[SETTINGS].limits.max_batch_body_bytes
    body = await read_json(request, limit)
    events = body.get("events") if isinstance(body, dict) else None
    size = len(events) if isinstance(events, list) else 1
    with counting_refusals(metrics, size):
        await admit_write(request, size)
        try:
            batch = GradeBatchBody.model_validate(body, context={"now": now})
        except pydantic.ValidationError as invalid:
            raise BadRequest(
                422, "The batch has invalid events; none was queued. See errors.",
                field_errors(invalid),
            ) from None
        commands = [event.to_command() for event in batch.events]
        submitted = await request.app[USE_CASES].submit_grades()(commands, now)
    count_submitted(metrics, commands, submitted)
    return BatchAccepted(len(submitted.event_ids), submitted.event_ids)


@endpoints.delete(
    "/stats/student/{student_id}",
    access=Access.WRITE,
    summary="Erase every grade and statistic of a student (the right to erasure)",
    description="Queued like any write, so it is ordered with the grades before it; once "
    "recorded, no endpoint returns anything of the student and every course statistic is as "
    "if they had never been graded. Grades of the student accepted later count as usual.",
    headers=IDEMPOTENCY_HEADERS,
    reply=ACCEPTED,
    errors=(400, 429, 503),
)
async def delete_student(request: web.Request, command: EraseStudent) -> Accepted:
    command = dataclasses.replace(command, event_id=idempotency_key(request, None))
    await admit_write(request, 1)
    event_id = await request.app[USE_CASES].erase_student()(command, request.app[CLOCK].now())
    request.app[METRICS].events_accepted.labels("student_erased").inc()
    return Accepted(202, "queued", event_id)
