"""Checking an answer against the OpenAPI document: the route and the status must be documented,
and the body must match the documented schema (formats included)."""

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator, FormatChecker

from entrypoints.http.routes import openapi_bytes

PROBLEM = "#/components/schemas/Problem"


@functools.cache
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi_bytes())
    return document


@dataclass(frozen=True)
class _Path:
    template: str
    pattern: re.Pattern[str]


@functools.cache
def _paths() -> tuple[_Path, ...]:
    return tuple(
        _Path(t, re.compile(re.sub(r"\\\{\w+\\\}", "[^{}/]+", re.escape(t)) + "$"))
        for t in spec()["paths"]
    )


@functools.cache
def _validator(ref: str) -> Draft202012Validator:
    schema = {"$ref": ref, "components": spec()["components"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate(schema: dict[str, Any], body: Any) -> None:
    """Validate `body` against a schema of the document (its $refs resolved)."""
    if "$ref" in schema and len(schema) == 1:
        validator = _validator(schema["$ref"])
    else:
        validator = Draft202012Validator(
            {**schema, "components": spec()["components"]}, format_checker=FormatChecker()
        )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors
    )


def _as_routed(raw_path: str) -> str:
    """The path as aiohttp's router matches it: percent-decoded, except %2F and %25."""
    parts = re.split(r"(%2[Ff]|%25)", raw_path)
    return "".join(part if i % 2 else unquote(part) for i, part in enumerate(parts))


def template_of(raw_path: str) -> str | None:
    """The documented path template the router would match (literal templates first)."""
    path = _as_routed(raw_path)
    matches = [p.template for p in _paths() if p.pattern.match(path)]
    if not matches:
        return None
    return min(matches, key=lambda t: t.count("{"))  # as aiohttp: the more literal route wins


def check_answer(method: str, path: str, status: int, content_type: str, body: Any) -> None:
    """Fail unless this answer is one the document describes. `path` is the raw (still
    percent-encoded) path, as the router matches it."""
    template = template_of(path)
    operation = spec()["paths"].get(template, {}).get(method.lower()) if template else None
    if method == "OPTIONS" and status == 204:
        return  # a CORS preflight, answered by the CORS middleware: not an operation
    if operation is None:
        # Not a documented operation: the router's own 404/405, as a problem document.
        assert status in (404, 405), f"{method} {path} -> {status}: no such documented operation"
        assert content_type == "application/problem+json", content_type
        validate({"$ref": PROBLEM}, body)
        return
    response = operation["responses"].get(str(status))
    assert response is not None, (
        f"{method} {template} answered {status}, which its documentation does not list "
        f"({', '.join(operation['responses'])})"
    )
    if "content" not in response:  # documented without a body (a 304)
        assert not body, f"{method} {template} {status}: a body where none is documented"
        return
    content = response.get("content", {})
    if status == 204 and not content:  # No Content: nothing to check but its emptiness
        assert body in ("", None), body
        return
    assert content_type in content, (
        f"{method} {template} {status}: {content_type}, documented {list(content)}"
    )
    schema = content[content_type].get("schema")
    if schema is not None:
        validate(schema, body)
