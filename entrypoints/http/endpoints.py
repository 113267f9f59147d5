"""The endpoint registry: every route is declared once, with what it takes and what it answers,
and both the aiohttp router and the OpenAPI document are built from those declarations.

A declaration names the method and path, a summary and tag for the docs, the query-string model
(a pydantic model; path parameters are read and documented by the types in `PATH_PARAMETERS`),
the request body model, the success reply (its status and the View dataclass it serialises)
and the error statuses it may answer with a problem document.

A handler of two parameters, `handler(request, query: GetSomething)`, is called with its second
parameter's class (a query or command dataclass) built from the path parameters and the query
model's fields (or properties) of the same names, every bad one named at once in one
ValidationError. A handler of one parameter is called as `handler(request)`.

A handler returns either the View (the registry serialises it as the declared `Reply` says, so
the documented schema and the bytes on the wire come from the same place) or a ready
`web.StreamResponse` for what is not JSON (one it streams itself is prepared with
`middleware.prepare_stream`). See `entrypoints/http/routes/__init__.py` for how to
add a route.
"""

import dataclasses
import functools
import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic
from aiohttp import web

from entrypoints.http.access import Access, authorize, principal_of
from entrypoints.http.answer_cache import Computed
from entrypoints.http.kept_answers import NOW_MARK, Kept, answered, ending_at_the_mark
from entrypoints.http.keys import ANSWER_CACHE, CLOCK
from entrypoints.http.params import QueryString
from entrypoints.http.problems import Problem
from entrypoints.http.schemas import (
    CourseIdField,
    DeadLetterIdField,
    StudentIdField,
    TaskIdField,
)

Handler = Callable[..., Awaitable[object]]
JSON = "application/json"

# Every path parameter a route may use, read and documented once. A path naming another is
# refused.
PATH_PARAMETERS: Mapping[str, Any] = {
    "student_id": StudentIdField,
    "course_id": CourseIdField,
    "task_id": TaskIdField,
    "dead_letter_id": DeadLetterIdField,
}
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Reply:
    """One documented answer of a route.

    `view` is the type serialised as JSON (a dataclass or a pydantic model), or None for an
    answer that is not described by a schema (`media_type` then says what it is). `omit` leaves
    fields out of the JSON; `omit_if_none` leaves them out when they are None. When either is
    used, `schema_name` names the schema of what remains. `also` lists other media types the
    handler may answer with (as a ready `web.Response`), such as an HTML page of the same."""

    view: Any = None
    status: int = 200
    description: str = "OK"
    media_type: str = JSON
    omit: frozenset[str] = frozenset()
    omit_if_none: frozenset[str] = frozenset()
    schema_name: str | None = None
    # Other media types the route may answer with instead (documented without a schema).
    also: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.omit or self.omit_if_none) and not self.schema_name:
            raise ValueError("a Reply that omits fields needs a schema_name")

    def render(self, view: object) -> web.Response:
        exclude = None
        if self.omit or self.omit_if_none:
            exclude = set(self.omit) | {f for f in self.omit_if_none if getattr(view, f) is None}
        body = _adapter(type(view)).dump_json(view, exclude=exclude or None)
        return web.Response(body=body, status=self.status, content_type=JSON)


@functools.cache
def _adapter(view_type: type) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(view_type)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    reply: Reply
    description: str = ""
    query: type[pydantic.BaseModel] | None = None
    input: type | None = None  # the dataclass the handler is called with (see the docstring)
    body: type[pydantic.BaseModel] | None = None
    # status -> the problem type documented for it (Problem unless a route says otherwise)
    errors: Mapping[int, type[pydantic.BaseModel]] = field(default_factory=dict)
    # request header -> its description and JSON schema
    headers: Mapping[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    access: Access = Access.ADMIN
    kept: Kept | None = None  # answers kept ready (kept_answers.py), for reads

    @property
    def path_parameters(self) -> list[str]:
        return _PATH_PARAMETER.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    def route(self) -> web.RouteDef:
        if self.kept is not None:
            return web.route(self.method, self.path, self._kept_route(self.kept),
                             name=self.operation_id)
        render, read_input, handler, access = (
            self.reply.render, self.read_input, self.handler, self.access
        )

        @functools.wraps(handler)
        async def handle(request: web.Request) -> web.StreamResponse:
            if access is not Access.PUBLIC:
                authorize(request, access)
            if read_input is None:
                result = await handler(request)
            else:
                result = await handler(request, read_input({**request.query, **request.match_info}))
            if isinstance(result, web.StreamResponse):
                return result
            return render(result)

        return web.route(self.method, self.path, handle, name=self.operation_id)

    def _kept_route(self, kept: Kept) -> Handler:
        """Answers kept per path and query (as sent) and role variant (students see peers under
        aliases): a kept answer is served without reading the parameters again."""
        reply, read_input, handler, name = self.reply, self.read_input, self.handler, self.operation_id
        access = self.access
        assert read_input is not None, "a kept read takes its parameters"

        @functools.wraps(handler)
        async def handle(request: web.Request) -> web.StreamResponse:
            if access is not Access.PUBLIC:
                authorize(request, access)
            cache = request.app[ANSWER_CACHE]
            key = (name, request.raw_path, principal_of(request).sees_peer_ids)

            async def compute() -> Computed:
                query = read_input({**request.query, **request.match_info})
                view = await handler(request, query)
                ends_now = kept.ends_now(query)
                body = reply.render(ending_at_the_mark(view) if ends_now else view).body
                assert isinstance(body, bytes)
                return Computed(body, kept.reads(query, view), NOW_MARK if ends_now else None)

            answer = await cache.answer(key, compute)
            return answered(request, answer, request.app[CLOCK].now())

        return handle

    @functools.cached_property
    def read_input(self) -> Callable[[Mapping[str, str]], object] | None:
        """Reads the path and query parameters (one mapping) as one model, a ValidationError
        naming every bad one, and builds `input` of the fields it shares with the model."""
        if self.input is None:
            return None
        path: type[pydantic.BaseModel] = pydantic.create_model(
            f"{self.operation_id}_path",
            __base__=QueryString,
            **{name: (PATH_PARAMETERS[name], ...) for name in self.path_parameters},
        )
        model = path if self.query is None else pydantic.create_model(
            f"{self.operation_id}_parameters", __base__=(self.query, path)  # path ones first
        )
        names = [f.name for f in dataclasses.fields(self.input) if hasattr(model, f.name)
                 or f.name in model.model_fields]
        make = self.input

        def read(parameters: Mapping[str, str]) -> object:
            params = model.model_validate(parameters)
            return make(**{name: getattr(params, name) for name in names})

        return read


class Endpoints:
    """The routes of one concern (one module), declared with the decorators below."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self._declared: list[Endpoint] = []

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self._declared)

    def get(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **declaration)

    def post(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **declaration)

    def delete(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **declaration)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        reply: Reply,
        description: str = "",
        query: type[pydantic.BaseModel] | None = None,
        body: type[pydantic.BaseModel] | None = None,
        errors: Iterable[int] | Mapping[int, type[pydantic.BaseModel]] = (),
        access: Access,
        headers: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
        tag: str | None = None,
        kept: Kept | None = None,
    ) -> Callable[[Handler], Handler]:
        unknown = set(_PATH_PARAMETER.findall(path)) - set(PATH_PARAMETERS)
        if unknown:
            raise ValueError(f"{path}: undocumented path parameters {sorted(unknown)}")
        problems = (
            dict(errors) if isinstance(errors, Mapping) else {status: Problem for status in errors}
        )
        if access is not Access.PUBLIC:
            problems = {401: Problem, 403: Problem, **problems}

        def declare(handler: Handler) -> Handler:
            hints = typing.get_type_hints(handler)
            parameters = list(inspect.signature(handler).parameters)
            input = hints[parameters[1]] if len(parameters) > 1 else None
            self._declared.append(
                Endpoint(
                    method=method, path=path, handler=handler, summary=summary,
                    tag=tag or self.tag, reply=reply, description=description, query=query,
                    input=input, body=body, errors=problems, headers=dict(headers or {}), access=access,
                    kept=kept,
                )
            )
            return handler

        return declare


def add_endpoints(app: web.Application, endpoints: Iterable[Endpoint]) -> None:
    """Every route; each path then answers any other method with a 405 whose Allow header
    lists the path's own methods. Without it a literal path would also claim the methods of a
    templated one that matches it (`/stats/student/grade` those of `/stats/student/{id}`)."""
    by_path: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, []).append(endpoint)
    for path, declared in by_path.items():
        app.add_routes([endpoint.route() for endpoint in declared])
        methods = {endpoint.method for endpoint in declared}
        allowed = methods | {"HEAD"} if "GET" in methods else methods
        app.router.add_route("*", path, _method_not_allowed(sorted(allowed)))


def _method_not_allowed(allowed: list[str]) -> Handler:
    async def method_not_allowed(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMethodNotAllowed(request.method, allowed)

    return method_not_allowed
