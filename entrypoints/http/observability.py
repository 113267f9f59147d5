"""Per request: an id (the caller's X-Request-ID when it is sensible, else a new one) returned on
every response and attached to every log line, one access log line, and the request metrics
labelled by route template (never by raw path: ids in paths would explode the series)."""

import asyncio
import itertools
import re
import time
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from entrypoints.http.background import in_background
from entrypoints.http.keys import METRICS, REQUEST_ID
from entrypoints.http.problems import Handler
from entrypoints.logging_setup import ACCESS_LOG, ACCESS_LOG_FLUSH_SECONDS, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_VISIBLE = re.compile(r"[\x21-\x7e]{1,128}")
UNMATCHED = "unmatched"


# Fresh ids: a random prefix per process and a counter (uuid4 per request reads the OS's
# random source every time, a measurable share of a cheap request).
_PROCESS_PREFIX = uuid.uuid4().hex[:16]
_next_number = itertools.count(1).__next__


def request_id_of(header: str | None) -> str:
    """The caller's id if it is 1-128 visible ASCII characters, else a fresh, unique one."""
    if header is not None and _VISIBLE.fullmatch(header):
        return header
    return f"{_PROCESS_PREFIX}{_next_number():016x}"


def route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request_id_of(request.headers.get(REQUEST_ID_HEADER))
    request[REQUEST_ID] = request_id
    token = request_id_var.set(request_id)
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as e:  # redirects; errors became problem documents further in
        status = e.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away
        raise
    finally:
        seconds = time.perf_counter() - start
        route = route_template(request)
        request.app[METRICS].observe_request(request.method, route, status, seconds)
        ACCESS_LOG.line(
            request.method, route, request.path, status, round(seconds * 1000, 2), request_id
        )
        request_id_var.reset(token)


async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response carries the request's id."""
    request_id = request.get(REQUEST_ID)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id


async def flush_access_log(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: write waiting access lines every ACCESS_LOG_FLUSH_SECONDS, and at the end."""

    async def flush_periodically() -> None:
        while True:
            await asyncio.sleep(ACCESS_LOG_FLUSH_SECONDS)
            ACCESS_LOG.flush()

    try:
        async with in_background(flush_periodically(), "access-log-flush"):
            yield
    finally:
        ACCESS_LOG.flush()
