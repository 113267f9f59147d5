"""Reading a JSON request body, every failure as a 4xx: 415 for another media type, 413 over the
size limit, 400 for malformed JSON or bad fields (InvalidInput, every bad field at once)."""

from typing import Any

import pydantic_core
from aiohttp import web

from domain.errors import FieldError
from entrypoints.http.keys import CONTAINER, SETTINGS
from entrypoints.http.problems import BadRequest
from entrypoints.http.schemas import CheckedGrade, CourseGradeBody


async def read_json_body(request: web.Request, model: type[CourseGradeBody]) -> CheckedGrade:
    """The grade body `model` documents, within the single-request size limit
    (`STATS_MAX_BODY_BYTES`), every field checked at once (InvalidInput names each bad one).

    NaN and Infinity are read as numbers, so that a grade of NaN is named as a bad grade."""
    value = _decode(await _read(request, request.app[SETTINGS].max_body_bytes), inf_nan=True)
    return model.checked(value, request.app[CONTAINER].adapters.clock().now())


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
