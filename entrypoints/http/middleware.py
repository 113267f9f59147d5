"""The one middleware every request goes through: its id (observability.py), CORS (cors.py),
a problem document for every error (problems.py), then the request metrics and one access line.

One middleware rather than one per concern, and no response signal (`on_response_prepare`):
each layer and each signal is an awaited call on every request, paid by the cheapest read. An
answer its handler streams has sent its head before the middleware sees it, so it gets the same
headers through `prepare_stream`."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from multidict import CIMultiDict

from entrypoints.http.cors import Cors
from entrypoints.http.keys import CORS
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.observability import REQUEST_ID_HEADER, request_id_of, route_template
from entrypoints.http.problems import problem_for
from entrypoints.logging_setup import ACCESS_LOG, request_id_var

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def request_middleware(cors: Cors, metrics: HttpMetrics) -> Middleware:
    observe = metrics.requests.observe
    perf_counter = time.perf_counter

    @web.middleware
    async def serve(request: web.Request, handler: Handler) -> web.StreamResponse:
        start = perf_counter()
        request_id = request_id_of(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        origin = cors.origin_of(request)
        status = 500
        try:
            if origin is not None and cors.is_preflight(request):
                response: web.StreamResponse = cors.preflight(origin)
                response.headers[REQUEST_ID_HEADER] = request_id
            else:
                try:
                    response = await handler(request)
                except web.HTTPException as e:
                    if e.status < 400:  # a redirect: aiohttp answers with the exception itself
                        status = e.status
                        _add_headers(e.headers, request_id, origin)
                        raise
                    response = problem_for(request, e)
                except asyncio.CancelledError:
                    status = 499  # the client went away
                    raise
                except Exception as e:  # noqa: BLE001 - every error becomes a problem document
                    response = problem_for(request, e)
                if not response.prepared:  # else prepare_stream gave it the headers
                    _add_headers(response.headers, request_id, origin)
            status = response.status
            return response
        finally:
            seconds = perf_counter() - start
            route = route_template(request)
            observe(request.method, route, status, seconds)
            ACCESS_LOG.line(
                request.method, route, request.path, status, round(seconds * 1000, 2), request_id
            )
            request_id_var.reset(token)

    return serve


async def prepare_stream(request: web.Request, response: web.StreamResponse) -> None:
    """Send the head of an answer the handler streams, with the headers every answer carries
    (the request id, CORS): the middleware adds them only to answers not sent yet."""
    request_id = request_id_var.get()
    assert request_id is not None, "a handler runs inside the request middleware"
    _add_headers(response.headers, request_id, request.app[CORS].origin_of(request))
    await response.prepare(request)


def _add_headers(headers: CIMultiDict[str], request_id: str, origin: str | None) -> None:
    headers[REQUEST_ID_HEADER] = request_id
    if origin is not None:
        Cors.add_headers(headers, origin)
