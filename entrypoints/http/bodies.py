"""Reading a JSON request body into its model, every failure as a 4xx: 415 for another media
type, 413 over the size limit, 400 for malformed JSON; a body that breaks its model raises
pydantic's ValidationError, naming every bad field (`problems.field_errors`)."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import pydantic
from aiohttp import web

from domain.errors import FieldError
from entrypoints.http.problems import BadRequest

M = TypeVar("M", bound=pydantic.BaseModel)


async def read_body(
    request: web.Request, model: type[M], limit: int, now: datetime, *, inf_nan: bool = False
) -> M:
    """The body as `model`, held to its rules at `now`, within `limit` bytes.

    With `inf_nan`, NaN and Infinity are read as numbers, so that a grade of NaN is named as a
    bad grade rather than as bad JSON."""
    value = await read_json(request, limit, inf_nan=inf_nan)
    return model.model_validate(value, context={"now": now})


async def read_json(request: web.Request, limit: int, *, inf_nan: bool = False) -> Any:
    """The body as JSON values, numbers with a fraction or an exponent as Decimals."""
    return decode(await _read(request, limit), inf_nan=inf_nan)


def decode(raw: bytes, *, inf_nan: bool = False) -> Any:
    """JSON with every number that has a fraction or an exponent read exactly, as a Decimal:
    never through a float, so 9.999999999999999999 is not 10. (pydantic-core's own JSON
    reader goes through a float for a Decimal field.)"""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_constant(inf_nan))
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise BadRequest(
            400, "The body is not valid JSON; see errors.", [FieldError("body", str(e))]
        ) from None


def _constant(inf_nan: bool) -> Any:
    def constant(name: str) -> Decimal:
        if not inf_nan:
            raise ValueError(f"{name} is not a JSON number")
        return Decimal(name)

    return constant


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
