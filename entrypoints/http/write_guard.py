"""The write guard (entrypoints.limits.WriteGuard) as a write route calls it: the client is the
token's subject, else the caller's address."""

from aiohttp import web

from entrypoints.http.access import principal_of
from entrypoints.http.keys import WRITE_GUARD


async def admit_write(request: web.Request, events: int) -> None:
    """Raise TooManyRequests or QueueFull when these `events` may not be queued now."""
    guard = request.app[WRITE_GUARD]
    client = ""
    if guard.limits_rate:
        principal = principal_of(request)
        client = str(principal.subject) if principal.subject else (request.remote or "?")
    await guard.admit(client, events)
