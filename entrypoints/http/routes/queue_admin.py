"""Acting on the queue, for operators (admins only): the dead letters with their payload and
reason, replaying or deleting them, pausing and resuming the workers. The report itself is
GET /stats/admin/queue (`ops`). Every route answers 404 when events are recorded in-process."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, StringConstraints

from application.ports.queue import DeadLetter, DeadLetters, QueueSwitch
from domain.errors import NotFound
from entrypoints.http.access import Access
from entrypoints.http.dependencies import dead_letters, queue_switch
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.params import QueryString
from entrypoints.http.problems import problem
from entrypoints.http.schemas import STREAM_ID_PATTERN

endpoints = Endpoints(tag="operations")

NO_QUEUE = "This service has no Redis queue: events are recorded in-process"


class DeadLetterQuery(QueryString):
    limit: Annotated[int, Field(ge=1, le=500, description="Dead letters per page")] = 100
    after: Annotated[
        str | None,
        StringConstraints(pattern=STREAM_ID_PATTERN),
        Field(description="The last id of the previous page: the page after it"),
    ] = None


@dataclass(frozen=True, slots=True)
class DeadLetterPageRequest:
    limit: int
    after: str | None


@dataclass(frozen=True, slots=True)
class DeadLetterRef:
    dead_letter_id: str


@dataclass(frozen=True, slots=True)
class DeadLetterView:
    id: str
    error: str  # why it could not be recorded
    attempts: int
    failed_at: datetime
    source_id: str | None  # the queue entry it came from
    message: str  # the queue message as it was, as text
    payload: Any  # the message parsed as JSON (the grade events are in its `args`), else null


@dataclass(frozen=True, slots=True)
class DeadLetterPage:
    dead_letters: list[DeadLetterView]
    next_after: str | None  # pass as `after` for the next page; null on the last one


@dataclass(frozen=True, slots=True)
class Replayed:
    replayed: int


@dataclass(frozen=True, slots=True)
class Consumption:
    paused: bool
    paused_since: datetime | None


def _view(letter: DeadLetter) -> DeadLetterView:
    text = letter.message.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    return DeadLetterView(
        letter.id, letter.error, letter.attempts, letter.failed_at, letter.source_id, text,
        payload,
    )


def _letters(request: web.Request) -> DeadLetters:
    letters = dead_letters(request.app)
    if letters is None:
        raise NotFound(NO_QUEUE)
    return letters


def _switch(request: web.Request) -> QueueSwitch:
    switch = queue_switch(request.app)
    if switch is None:
        raise NotFound(NO_QUEUE)
    return switch


@endpoints.get(
    "/stats/admin/queue/dead-letters",
    access=Access.ADMIN,
    summary="The dead letters, oldest first, with their payload and reason",
    query=DeadLetterQuery,
    reply=Reply(DeadLetterPage),
    errors=(400, 404, 503),
)
async def list_dead_letters(
    request: web.Request, page: DeadLetterPageRequest
) -> DeadLetterPage | web.Response:
    letters = await _letters(request).list(limit=page.limit + 1, after=page.after)
    more = len(letters) > page.limit
    shown = letters[: page.limit]
    return DeadLetterPage([_view(letter) for letter in shown],
                          shown[-1].id if more else None)


@endpoints.post(
    "/stats/admin/queue/dead-letters/replay",
    access=Access.ADMIN,
    summary="Queue every dead letter again (and remove them from the dead letters)",
    reply=Reply(Replayed),
    errors=(404, 503),
)
async def replay_all_dead_letters(request: web.Request) -> Replayed | web.Response:
    return Replayed(await _letters(request).replay())


@endpoints.post(
    "/stats/admin/queue/dead-letters/{dead_letter_id}/replay",
    access=Access.ADMIN,
    summary="Queue one dead letter again (and remove it from the dead letters)",
    reply=Reply(Replayed),
    errors=(400, 404, 503),
)
async def replay_dead_letter(
    request: web.Request, letter: DeadLetterRef
) -> Replayed | web.Response:
    replayed = await _letters(request).replay([letter.dead_letter_id])
    if not replayed:
        return problem(404, f"There is no dead letter {letter.dead_letter_id}")
    return Replayed(replayed)


@endpoints.delete(
    "/stats/admin/queue/dead-letters/{dead_letter_id}",
    access=Access.ADMIN,
    summary="Delete one dead letter for good (its grades are not recorded)",
    reply=Reply(status=204, description="Deleted", media_type="text/plain"),
    errors=(400, 404, 503),
)
async def delete_dead_letter(request: web.Request, letter: DeadLetterRef) -> web.Response:
    if not await _letters(request).delete(letter.dead_letter_id):
        return problem(404, f"There is no dead letter {letter.dead_letter_id}")
    return web.Response(status=204)


@endpoints.post(
    "/stats/admin/queue/pause",
    access=Access.ADMIN,
    summary="Pause the workers: they finish what they hold and take nothing new",
    description="Writes are still accepted and queued. The workers notice within about a "
    "second. 409 when already paused.",
    reply=Reply(Consumption),
    errors=(404, 409, 503),
)
async def pause_queue(request: web.Request) -> Consumption | web.Response:
    since = await _switch(request).pause()
    if since is None:
        return problem(409, "The queue is already paused")
    return Consumption(True, since)


@endpoints.post(
    "/stats/admin/queue/resume",
    access=Access.ADMIN,
    summary="Resume the workers after a pause",
    description="409 when the queue is not paused.",
    reply=Reply(Consumption),
    errors=(404, 409, 503),
)
async def resume_queue(request: web.Request) -> Consumption | web.Response:
    if not await _switch(request).resume():
        return problem(409, "The queue is not paused")
    return Consumption(False, None)
