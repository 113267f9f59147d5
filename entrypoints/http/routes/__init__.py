"""Every HTTP route of the service, one module per concern.

How to add a route (the OpenAPI document and its tests follow by themselves):

1. Pick the module of its concern (`grades` for writes, `stats` for reads, `ops` for operating
   the service) or add a module with its own `endpoints = Endpoints(tag="...")` and list it in
   `MODULES` below.
2. Declare it with the module's decorator and write a thin handler: call one use case with the
   query it is given, return its View::

       @endpoints.get(
           "/stats/course/{course_id}/something",     # path parameters: see PATH_PARAMETERS
           access=Access.COURSE,                      # who may call it (see access.py)
           summary="One line for the docs",
           query=PeriodQuery,                         # the query string's model (params.py)
           reply=Reply(v.SomethingView),              # status 200, the View serialised as JSON
           errors=(400, 503),                         # statuses answered with a problem document
       )
       async def course_something(
           request: web.Request, query: q.GetSomething
       ) -> v.SomethingView:
           return await request.app[USE_CASES].something()(query)

   The handler's second parameter is built from the path parameters and the query model's
   fields of the same names, every bad one named at once (see `endpoints`); a handler of one
   parameter reads nothing. A POST names its `body=` model (schemas.py: the parser and the
   document) and reads it with `bodies.read_body`. A handler may return a `web.Response` instead
   of a View for what is not JSON (then give `Reply(media_type=...)`).
   Errors are raised (pydantic's ValidationError, InvalidInput, NotFound, BadRequest ...) and
   become problem documents (`problems.problem_for`, in the request middleware); list every
   status the route can answer with in `errors`. A handler that streams its answer sends the
   head with `middleware.prepare_stream` (not `response.prepare`), which adds the request id and
   CORS headers every answer carries.
3. Run `pytest tests/http`: the spec-completeness tests check that the route is documented, and
   every response the HTTP tests receive is validated against its documented schema.
"""

import functools
import json

from entrypoints.http.endpoints import Endpoint
from entrypoints.http.keys import USE_CASES
from entrypoints.http.openapi import openapi_document
from entrypoints.http.routes import analytics, front, grades, live, ops, queue_admin, stats
from entrypoints.http.ui import pages

__all__ = ["MODULES", "USE_CASES", "all_endpoints", "openapi_bytes"]

MODULES = (front, ops, queue_admin, grades, stats, analytics, live, pages)


def all_endpoints() -> list[Endpoint]:
    return [endpoint for module in MODULES for endpoint in module.endpoints]


@functools.cache
def openapi_bytes() -> bytes:
    return json.dumps(openapi_document(all_endpoints()), indent=1).encode()
