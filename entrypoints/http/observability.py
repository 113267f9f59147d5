"""What the request middleware (middleware.py) observes of each request: an id (the caller's
X-Request-ID when it is sensible, else a new one) returned on every response and attached to every
log line, and the route template that labels the request metrics and the access line (never the
raw path: ids in paths would explode the series)."""

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from entrypoints.http.background import in_background
from entrypoints.logging_setup import ACCESS_LOG, ACCESS_LOG_FLUSH_SECONDS

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
