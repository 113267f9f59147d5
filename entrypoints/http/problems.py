"""Every error as an RFC 9457 problem document (the request middleware, middleware.py, answers
every exception a handler raises with `problem_for`)."""

import logging
import uuid
from http import HTTPStatus
from typing import Any

import pydantic
from aiohttp import web

from application.ports.errors import QueueUnavailable, Unavailable
from domain.errors import FieldError, InvalidInput, NotFound, ReusedEventId
from entrypoints.auth import Forbidden, Unauthorized
from entrypoints.limits import QueueFull, RateLimiter, TooManyRequests

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
INVALID = "The request has invalid values; see errors."


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


def field_errors(error: pydantic.ValidationError) -> list[FieldError]:
    """Every failure of a request model, named as a client spells the field (`events[3].grade`),
    with the domain's message where a domain rule failed."""
    named: list[FieldError] = []
    for failure in error.errors(include_url=False, include_input=False):
        field = _field_name(failure["loc"])
        cause = failure.get("ctx", {}).get("error")
        if isinstance(cause, InvalidInput):
            # a field's rule is named by the field; a rule across fields names its own
            whole = not failure["loc"] or isinstance(failure["loc"][-1], int)
            named += [
                FieldError(_join(field, e.field) if whole else field, e.message)
                for e in cause.errors
            ]
        else:
            kind, message = failure["type"], _MESSAGES.get(failure["type"], failure["msg"])
            if kind in _NOT_AN_EVENT and field:
                field, message = _join(field, "kind"), "must be an object with a kind"
            elif kind in _NOT_AN_EVENT:
                field = "body"
            elif kind in {"union_tag_invalid", "union_tag_not_found"}:
                field = _join(field, "kind")
            elif kind in {"too_short", "too_long", "list_type"}:
                message = message.format(**failure.get("ctx", {}))
            named.append(FieldError(field, message))
    return named


_NOT_AN_EVENT = {"model_type", "model_attributes_type", "dict_type"}
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a documented field or parameter",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "union_tag_invalid": "must be course_grade or task_grade",
    "union_tag_not_found": "must be course_grade or task_grade",
    "list_type": "must be a list",
    "too_short": "must hold at least {min_length}, got {actual_length}",
    "too_long": "must hold at most {max_length}, got {actual_length}",
}


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            name += f"[{part}]"
        elif (index == 0 or isinstance(loc[index - 1], int)) and isinstance(
            loc[index + 1] if index + 1 < len(loc) else None, str
        ):
            continue  # the member of a tagged union, which pydantic names before its field
        else:
            name = _join(name, part or '""')  # an unknown field may be named by ""
    return name


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field


class BadRequest(Exception):
    """A request the HTTP layer itself rejects, before any use case runs."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def problem_for(request: web.Request, error: Exception) -> web.Response:
    """The problem document answering `error`, raised while serving `request` (an HTTP error,
    4xx or 5xx, among them; the request middleware lets redirects through)."""
    match error:
        case BadRequest():
            return problem(error.status, error.detail, error.errors)
        case TooManyRequests():
            return problem(
                429, "Too many writes from this client; slow down.",
                **{"Retry-After": RateLimiter.retry_after_header(error.retry_after)},
            )
        case QueueFull():
            return problem(
                503, "The queue is full: grades wait to be recorded. Retry shortly.",
                **{"Retry-After": "5"},
            )
        case Unauthorized():
            return problem(
                401, str(error).capitalize() + ".", **{"WWW-Authenticate": _challenge(request)}
            )
        case Forbidden():
            return problem(403, "This token does not grant access to this resource.")
        case InvalidInput():
            return problem(400, INVALID, error.errors)
        case pydantic.ValidationError():
            return problem(400, INVALID, field_errors(error))
        case NotFound():
            return problem(404, str(error))
        case ReusedEventId():
            return reused_event_id(error)
        case web.HTTPException():
            detail = {
                404: f"No such resource: {request.path}",
                405: f"Method {request.method} is not allowed on {request.path}",
                413: "The request body is too large",
            }.get(error.status, error.reason)
            headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else {}
            return problem(error.status, detail, **headers)
        case Unavailable():
            log.warning(
                "%s %s: a dependency is unavailable: %r", request.method, request.path, error
            )
            if isinstance(error, QueueUnavailable) and error.event_ids:
                return unqueued_write(error.event_ids)
            return problem(
                503, "A database or queue the service needs is unavailable; try again shortly.",
                **{"Retry-After": "1"},
            )
    log.error(
        "unhandled error on %s %s", request.method, request.path,
        exc_info=(type(error), error, error.__traceback__),
    )
    return problem(500, "An internal error occurred; it has been logged.")


def reused_event_id(error: ReusedEventId) -> web.Response:
    """409 while the first request with these ids is still being queued (retry it shortly); 422
    when they already name other grades (a new grade needs a new id). Nothing was queued."""
    ids = [str(event_id) for event_id in error.event_ids]
    extensions = {"event_ids": ids}
    if error.in_flight:
        return problem(
            409, f"A request with the event id(s) {', '.join(ids)} is still being queued; "
            "nothing of this one was. Retry it shortly.",
            extensions=extensions, **{"Retry-After": "1"},
        )
    return problem(
        422, f"The event id(s) {', '.join(ids)} (event_id or Idempotency-Key) already name "
        "other grades, sent earlier with different values; nothing was queued. A new grade "
        "needs a new id; a regrade is a new event.",
        [FieldError("event_id", f"{i} already names another grade") for i in ids],
        extensions,
    )


def unqueued_write(event_ids: tuple[uuid.UUID, ...]) -> web.Response:
    """A write the queue did not confirm: it may have been queued all the same (Redis answered
    too late), so the answer names the ids a retry must reuse to count once."""
    ids = [str(event_id) for event_id in event_ids]
    what = "the grade may or may not have been queued; retry with this event_id"
    if len(ids) > 1:
        what = "the grades may or may not have been queued; retry with these event_ids"
    return problem(
        503, f"The queue did not confirm the write: {what} ({', '.join(ids)}); a retry with "
        "the same ids counts once.",
        extensions={"event_ids": ids}, **{"Retry-After": "1"},
    )


def _challenge(request: web.Request) -> str:
    """The 401's WWW-Authenticate. RFC 6750 section 3.1: a request without a bearer token (no
    Authorization header, or another scheme) gets no error code; a token that was sent and
    refused is an invalid_token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return 'Bearer realm="classconnect-stats", error="invalid_token"'
    return 'Bearer realm="classconnect-stats"'
