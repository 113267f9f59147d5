"""Writes: grades are validated, queued and answered 202; workers record them."""

import dataclasses
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import pydantic
from aiohttp import web

from application.commands import EraseStudent
from entrypoints.http.access import Access
from entrypoints.http.bodies import read_body, read_json
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.keys import CLOCK, METRICS, SETTINGS, USE_CASES
from entrypoints.http.params import IDEMPOTENCY_KEY_SCHEMA, idempotency_key
from entrypoints.http.problems import BadRequest, field_errors
from entrypoints.http.schemas import CourseGradeBody, GradeBatchBody, TaskGradeBody
from entrypoints.http.write_guard import admit_write

endpoints = Endpoints(tag="grades")

IDEMPOTENCY_KEY = (
    "Makes a retried request count once (a UUID, or any 1-255 characters); must match the "
    "body's event_id when both are given"
)
IDEMPOTENCY_HEADERS = {"Idempotency-Key": (IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_SCHEMA)}
WRITE_ERRORS = (400, 413, 415, 429, 503)


@dataclass(frozen=True, slots=True)
class BatchAccepted:
    count: int
    event_ids: list[uuid.UUID]


@dataclass(frozen=True, slots=True)
class Accepted:
    status: Literal[202]
    result: Literal["queued"]
    event_id: uuid.UUID


ACCEPTED = Reply(Accepted, status=202, description="Queued; a worker will record it")


@endpoints.post(
    "/stats/student/grade",
    access=Access.WRITE,
    summary="Record a course-level grade",
    body=CourseGradeBody,
    headers=IDEMPOTENCY_HEADERS,
    reply=ACCEPTED,
    errors=WRITE_ERRORS,
)
async def post_course_grade(request: web.Request) -> web.Response:
    return await _queue_one(request, CourseGradeBody, "course_grade")


@endpoints.post(
    "/stats/student/task/grade",
    access=Access.WRITE,
    summary="Record a task grade (a regrade replaces the student's earlier grade of the task)",
    body=TaskGradeBody,
    headers=IDEMPOTENCY_HEADERS,
    reply=ACCEPTED,
    errors=WRITE_ERRORS,
)
async def post_task_grade(request: web.Request) -> web.Response:
    return await _queue_one(request, TaskGradeBody, "task_grade")


async def _queue_one(
    request: web.Request, body: type[CourseGradeBody | TaskGradeBody], kind: str
) -> web.Response:
    now = request.app[CLOCK].now()
    limit = request.app[SETTINGS].limits.max_body_bytes
    command = (await read_body(request, body, limit, now, inf_nan=True)).to_command()
    command = dataclasses.replace(command, event_id=idempotency_key(request, command.event_id))
    await admit_write(request, 1)
    [event_id] = await request.app[USE_CASES].submit_grades()([command], now)
    request.app[METRICS].events_accepted.labels(kind).inc()
    return accepted_response(event_id)


def accepted_response(event_id: uuid.UUID) -> web.Response:
    """`Accepted(202, "queued", event_id)` as `ACCEPTED` renders it, written directly: this
    is the hottest write path, and the body is a fixed shape."""
    return web.Response(
        body=b'{"status":202,"result":"queued","event_id":"%s"}' % str(event_id).encode(),
        status=202,
        content_type="application/json",
    )


@endpoints.post(
    "/stats/grades/batch",
    access=Access.WRITE,
    summary="Record up to 10,000 grades at once: all of them, or none",
    description="Every event is validated first; any invalid event rejects the whole batch "
    "with 422 and an error per bad field, named like `events[3].grade`. Duplicate event ids, "
    "inside or across batches, count once.",
    body=GradeBatchBody,
    reply=Reply(BatchAccepted, status=202, description="Queued; workers will record them"),
    errors=(400, 413, 415, 422, 429, 503),
)
async def post_grade_batch(request: web.Request) -> BatchAccepted:
    now = request.app[CLOCK].now()
    limit = request.app[SETTINGS].limits.max_batch_body_bytes
    body = await read_json(request, limit)
    events = body.get("events") if isinstance(body, dict) else None
    await admit_write(request, len(events) if isinstance(events, list) else 1)
    try:
        batch = GradeBatchBody.model_validate(body, context={"now": now})
    except pydantic.ValidationError as invalid:
        raise BadRequest(
            422, "The batch has invalid events; none was queued. See errors.",
            field_errors(invalid),
        ) from None
    commands = [event.to_command() for event in batch.events]
    event_ids = await request.app[USE_CASES].submit_grades()(commands, now)
    for kind, count in Counter(event.kind for event in batch.events).items():
        request.app[METRICS].events_accepted.labels(kind).inc(count)
    return BatchAccepted(len(event_ids), event_ids)


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
