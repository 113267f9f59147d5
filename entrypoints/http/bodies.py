"""Reading a JSON request body, every failure as a 4xx: 415 for another media type, 413 over the
size limit, 400 for malformed JSON or bad fields (InvalidInput, every bad field at once)."""

from collections.abc import Mapping
from typing import Any

import pydantic_core
from aiohttp import web

from application.commands import SubmitGrade
from application.handlers.submit_grades import command_from_mapping
from domain.errors import FieldError, InvalidInput
from entrypoints.http.keys import CONTAINER, SETTINGS
from entrypoints.http.problems import BadRequest


async def read_grade(request: web.Request, kind: str) -> SubmitGrade:
    """A single grade's body (`kind` from its path), within the single-request size limit
    (`STATS_MAX_BODY_BYTES`), as a command; every field is checked at once, as a batch event's
    are (`command_from_mapping`: InvalidInput names each bad one).

    NaN and Infinity are read as numbers, so that a grade of NaN is named as a bad grade."""
    value = _decode(await _read(request, request.app[SETTINGS].max_body_bytes), inf_nan=True)
    if not isinstance(value, Mapping):
        raise InvalidInput.one("body", "must be a JSON object")
    return command_from_mapping(value, request.app[CONTAINER].adapters.clock().now(), kind)


async def read_json_value(request: web.Request, limit: int) -> Any:
    """The body as plain JSON values (for a batch, whose events are checked one by one)."""
    return _decode(await _read(request, limit), inf_nan=False)


def _decode(raw: bytes, *, inf_nan: bool) -> Any:
    try:
        return pydantic_core.from_json(raw, allow_inf_nan=inf_nan)
    except ValueError as e:  # also for nesting too deep
        raise BadRequest(
            400, "The body is not valid JSON; see errors.", [FieldError("body", str(e))]
        ) from None


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
