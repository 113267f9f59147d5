"""Reading a JSON request body, every failure as a 4xx: 415 for another media type, 413 over the
size limit, 400 for malformed JSON or fields of the wrong shape."""

import json
from typing import Any, TypeVar

import pydantic
from aiohttp import web

from entrypoints.http.keys import SETTINGS
from entrypoints.http.problems import BadRequest, field_errors

Body = TypeVar("Body", bound=pydantic.BaseModel)


async def read_json_body(request: web.Request, model: type[Body]) -> Body:
    """The body as `model`, within the single-request size limit (`STATS_MAX_BODY_BYTES`)."""
    raw = await _read(request, request.app[SETTINGS].max_body_bytes)
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as e:
        if any(err["type"] == "json_invalid" for err in e.errors()):
            raise BadRequest(400, "The body is not valid JSON", field_errors(e)) from None
        raise BadRequest(400, "The body has invalid fields; see errors.", field_errors(e)) from None


async def read_json_value(request: web.Request, limit: int) -> Any:
    """The body as plain JSON values (for a batch, whose events are checked one by one)."""
    raw = await _read(request, limit)
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(400, f"The body is not valid JSON: {e}") from None


async def _read(request: web.Request, limit: int) -> bytes:
    if request.content_type != "application/json" and not request.content_type.endswith("+json"):
        raise BadRequest(415, "Send the body as JSON with Content-Type: application/json")
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    raw = await request.read()
    if len(raw) > limit:
        raise _too_large(limit)
    return raw


def _too_large(limit: int) -> BadRequest:
    return BadRequest(413, f"The request body is larger than {limit} bytes")


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")
