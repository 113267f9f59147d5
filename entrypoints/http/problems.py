"""Every error as an RFC 9457 problem document, in one middleware."""

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import pydantic
from aiohttp import web

from application.ports.errors import Unavailable
from domain.errors import FieldError, InvalidInput, NotFound
from entrypoints.auth import Forbidden, Unauthorized
from entrypoints.limits import QueueFull, RateLimiter, TooManyRequests

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class FieldProblem(pydantic.BaseModel):
    field: str = pydantic.Field(description="The field, parameter or header at fault")
    message: str


class Problem(pydantic.BaseModel):
    """An RFC 9457 problem document: what every error answer of this service looks like."""

    model_config = pydantic.ConfigDict(extra="allow")

    type: str = pydantic.Field(description="`about:blank`: the status says it all")
    title: str = pydantic.Field(description="The status's reason phrase")
    status: int
    detail: str = pydantic.Field(description="What went wrong, for people")
    errors: list[FieldProblem] = pydantic.Field(
        default_factory=list, description="For invalid input: every bad field"
    )


def problem(
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    extensions: dict[str, Any] | None = None,
    **headers: str,
) -> web.Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(extensions or {})
    return web.json_response(body, status=status, content_type=PROBLEM_JSON, headers=headers)


class BadRequest(Exception):
    """A request the HTTP layer itself rejects, before any use case runs."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as e:
        return problem(e.status, e.detail, e.errors)
    except TooManyRequests as e:
        return problem(
            429, "Too many writes from this client; slow down.",
            **{"Retry-After": RateLimiter.retry_after_header(e.retry_after)},
        )
    except QueueFull:
        return problem(
            503, "The queue is full: grades wait to be recorded. Retry shortly.",
            **{"Retry-After": "5"},
        )
    except Unauthorized as e:
        return problem(401, str(e).capitalize() + ".", **{"WWW-Authenticate": _challenge(request)})
    except Forbidden:
        return problem(403, "This token does not grant access to this resource.")
    except InvalidInput as e:
        return problem(400, "The request has invalid values; see errors.", e.errors)
    except NotFound as e:
        return problem(404, str(e))
    except web.HTTPException as e:
        if e.status < 400:
            raise
        detail = {
            404: f"No such resource: {request.path}",
            405: f"Method {request.method} is not allowed on {request.path}",
            413: "The request body is too large",
        }.get(e.status, e.reason)
        headers = {"Allow": e.headers["Allow"]} if "Allow" in e.headers else {}
        return problem(e.status, detail, **headers)
    except Unavailable as e:
        log.warning("%s %s: a dependency is unavailable: %r", request.method, request.path, e)
        return problem(
            503, "A database or queue the service needs is unavailable; try again shortly.",
            **{"Retry-After": "1"},
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "An internal error occurred; it has been logged.")


def _challenge(request: web.Request) -> str:
    """The 401's WWW-Authenticate. RFC 6750 section 3.1: a request without a bearer token (no
    Authorization header, or another scheme) gets no error code; a token that was sent and
    refused is an invalid_token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return 'Bearer realm="classconnect-stats", error="invalid_token"'
    return 'Bearer realm="classconnect-stats"'
