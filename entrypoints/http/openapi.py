"""The OpenAPI 3.1 document, generated from the endpoint declarations (never written by hand).

Schemas come from pydantic: request bodies and query strings in validation mode, the Views in
serialization mode, all in `#/components/schemas`. A View's fields are all required in its
schema, because serialising a dataclass writes every field; fields a route leaves out (its
Reply's `omit` / `omit_if_none`) are dropped from a copy named by the Reply.
"""

import copy
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

import pydantic
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode

from entrypoints.http.access import Access
from entrypoints.http.endpoints import PATH_PARAMETERS, Endpoint, Reply
from entrypoints.http.problems import PROBLEM_JSON

REF = "#/components/schemas/{model}"
ACCESS_TEXT = {
    Access.WRITE: "Access: services and admins.",
    Access.STUDENT: "Access: the student themself (peers appear under per-course aliases), "
    "teachers of the path's course, services and admins.",
    Access.COURSE: "Access: teachers of the course (token claim `courses`), services, admins.",
    Access.ADMIN: "Access: admins.",
}
TITLE = "ClassConnect Stats"
VERSION = "1.0.0"


class _SchemaGenerator(GenerateJsonSchema):
    def field_is_required(self, field: Any, total: bool) -> bool:
        if self.mode == "serialization":  # what is serialised is always there
            return not field.get("serialization_exclude")
        return super().field_is_required(field, total)


def openapi_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    endpoints = list(endpoints)
    keyed = _schema_inputs(endpoints)
    refs, defs = pydantic.TypeAdapter.json_schemas(
        [(key, mode, pydantic.TypeAdapter(t)) for key, (mode, t) in keyed.items()],
        ref_template=REF,
        schema_generator=_SchemaGenerator,
    )
    components: dict[str, Any] = dict(defs.get("$defs", {}))

    def schema_of(key: object, mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
        return copy.deepcopy(refs[(key, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        operation: dict[str, Any] = {
            "operationId": e.operation_id,
            "summary": e.summary,
            "tags": [e.tag],
            "responses": {},
        }
        if e.description:
            operation["description"] = e.description
        if e.access is not Access.PUBLIC:
            operation["security"] = [{"bearer": []}]
            operation["description"] = (
                f"{e.description}\n\n" if e.description else ""
            ) + ACCESS_TEXT[e.access]
        parameters = [_path_parameter(name) for name in e.path_parameters]
        if e.query is not None:
            parameters += _query_parameters(e.query, components)
        headers = {**e.headers, **(KEPT_HEADERS if e.kept is not None else {})}
        parameters += [
            {"name": name, "in": "header", "required": False, "description": text,
             "schema": schema}
            for name, (text, schema) in headers.items()
        ]
        if parameters:
            operation["parameters"] = parameters
        if e.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of(("body", e.body),
                                                                       "validation")}},
            }
        operation["responses"][str(e.reply.status)] = _reply(
            e.reply, schema_of(("view", e.reply.view)) if e.reply.view is not None else None,
            components,
        )
        if e.kept is not None:
            operation["responses"][str(e.reply.status)]["headers"] = {"ETag": ETAG_HEADER}
            operation["responses"]["304"] = {
                "description": "Not Modified: the answer's ETag is one If-None-Match lists",
                "headers": {"ETag": ETAG_HEADER},
            }
        for status, problem_type in sorted(e.errors.items()):
            operation["responses"][str(status)] = {
                "description": _reason(status),
                "content": {PROBLEM_JSON: {"schema": schema_of(("problem", problem_type),
                                                                 "validation")}},
            }
        paths.setdefault(e.path, {})[e.method.lower()] = operation
    for e in endpoints:  # query models are spelled out as parameters, not kept as schemas
        if e.query is not None:
            components.pop(e.query.__name__, None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Grade statistics of ClassConnect. Errors are RFC 9457 problem "
                           "documents (application/problem+json).",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A ClassConnect token: `sub` (user UUID), `role` "
                    "(student|teacher|admin|service), `courses` (a teacher's), `exp`.",
                }
            },
        },
        "tags": sorted(({"name": t} for t in {e.tag for e in endpoints}),
                       key=lambda t: t["name"]),
    }


KEPT_HEADERS = {
    "If-None-Match": (
        (
            "ETags of answers the client holds (or `*`): when the answer's is among them, a "
            "304 without a body"
        ),
        {"type": "string"},
    )
}
ETAG_HEADER = {
    "description": "A strong tag of the answer's bytes: the same answer has the same tag from "
    "every API process",
    "schema": {"type": "string"},
}


def _schema_inputs(endpoints: list[Endpoint]) -> dict[object, tuple[JsonSchemaMode, Any]]:
    keyed: dict[object, tuple[JsonSchemaMode, Any]] = {}
    for e in endpoints:
        if e.reply.view is not None:
            keyed[("view", e.reply.view)] = ("serialization", e.reply.view)
        if e.body is not None:
            keyed[("body", e.body)] = ("validation", e.body)
        if e.query is not None:
            keyed[("query", e.query)] = ("validation", e.query)
        for problem_type in e.errors.values():
            keyed[("problem", problem_type)] = ("validation", problem_type)
    return keyed


def _reply(
    reply: Reply, schema: dict[str, Any] | None, components: dict[str, Any]
) -> dict[str, Any]:
    if reply.status == 204:  # No Content
        return {"description": reply.description}
    if schema is None:
        return {"description": reply.description, "content": {reply.media_type: {}}}
    if reply.schema_name:
        base = components[schema["$ref"].rsplit("/", 1)[-1]]
        trimmed = copy.deepcopy(base)
        trimmed["title"] = reply.schema_name
        for name in reply.omit:
            trimmed["properties"].pop(name, None)
        dropped = reply.omit | reply.omit_if_none
        trimmed["required"] = [f for f in trimmed.get("required", []) if f not in dropped]
        components[reply.schema_name] = trimmed
        schema = {"$ref": REF.format(model=reply.schema_name)}
    content = {reply.media_type: {"schema": schema}, **{media: {} for media in reply.also}}
    return {"description": reply.description, "content": content}


def _path_parameter(name: str) -> dict[str, Any]:
    schema = pydantic.TypeAdapter(PATH_PARAMETERS[name]).json_schema(ref_template=REF)
    description = schema.pop("description", None)
    parameter = {"name": name, "in": "path", "required": True, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _query_parameters(
    model: type[pydantic.BaseModel], components: dict[str, Any]
) -> list[dict[str, Any]]:
    schema = components[model.__name__]
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _not_null(prop)
        prop.pop("title", None)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string: `X | None = None` is documented as X."""
    schema = dict(schema)
    branches = schema.get("anyOf")
    if branches and {"type": "null"} in branches:
        rest = [b for b in branches if b != {"type": "null"}]
        del schema["anyOf"]
        schema.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        if schema.get("default", ...) is None:
            del schema["default"]
    return schema


def _reason(status: int) -> str:
    return HTTPStatus(status).phrase
