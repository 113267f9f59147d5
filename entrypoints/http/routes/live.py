"""Live changes: server-sent events saying when a course's statistics may have changed, fed by
the change feed (application.ports.changes) the read path uses. The web console's course page
reads the course again on each event.

The stream needs the rights to read the course, checked on the Authorization header like every
route (a browser reads it with fetch(), which sends the header; a token never goes in the URL).
Events, each `data` a JSON object:

- `ready` once on connecting: `course_id`, and `listening`, whether the service hears every
  change right now (while it does not, changes may go unannounced);
- `change`: `course_id`, `reset` (true: changes may have been missed, read everything again)
  and `listening`;
- a comment line (`: still here`) every 15 s of silence, so that idle proxies keep the stream.

A stream ends after STATS_LIVE_STREAM_SECONDS, and at once when the service stops; clients
reconnect.
"""

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from application.ports.changes import Change, ChangeFeed
from domain.values import CourseId
from entrypoints.http.access import Access
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.keys import CONTAINER, LIVE_STOPPING, SETTINGS
from entrypoints.http.middleware import prepare_stream

endpoints = Endpoints(tag="live")
HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class CourseChanges:
    course_id: CourseId


@endpoints.get(
    "/stats/course/{course_id}/changes",
    access=Access.COURSE,
    summary="Server-sent events: each time the course's statistics may have changed",
    description="`ready` on connecting, then `change` after each committed change that may "
    "touch the course (`reset`: changes may have been missed). JSON `data`. Ends after "
    "STATS_LIVE_STREAM_SECONDS; reconnect.",
    reply=Reply(media_type="text/event-stream", description="A stream of server-sent events"),
    errors=(400,),
)
async def course_changes(request: web.Request, query: CourseChanges) -> web.StreamResponse:
    course = query.course_id
    return await stream_changes(
        request,
        request.app[CONTAINER].adapters.changes(),
        lambda change: change.reset or course in change.courses,
        {"course_id": course},
    )


async def stream_changes(
    request: web.Request,
    feed: ChangeFeed,
    concerns: Callable[[Change], bool],
    subject: dict[str, object],
) -> web.StreamResponse:
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",  # a proxy must pass each event on at once
    })
    loop = asyncio.get_running_loop()
    deadline = loop.time() + request.app[SETTINGS].http.live_stream_seconds
    stopping = asyncio.ensure_future(request.app[LIVE_STOPPING].wait())
    with feed.subscribe() as changes, contextlib.suppress(ConnectionResetError):
        await prepare_stream(request, response)
        await response.write(_event("ready", {**subject, "listening": feed.listening}))
        upcoming = aiter(changes)
        try:
            while (left := deadline - loop.time()) > 0:
                change = asyncio.ensure_future(anext(upcoming))
                done, _ = await asyncio.wait(
                    {change, stopping}, timeout=min(HEARTBEAT_SECONDS, left),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if change not in done:
                    change.cancel()
                    if stopping in done:
                        break
                    await response.write(b": still here\n\n")
                elif concerns(change.result()):
                    await response.write(_event(
                        "change",
                        {**subject, "reset": change.result().reset, "listening": feed.listening},
                    ))
        finally:
            stopping.cancel()
        await response.write_eof()
    return response


def _event(name: str, data: dict[str, object]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


async def end_streams(app: web.Application) -> None:
    """On shutdown: every open stream ends, rather than hold the shutdown up."""
    app[LIVE_STOPPING].set()
