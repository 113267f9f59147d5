"""Who may call a route. Every route declares its `Access`; the registry checks it before the
handler runs, and the principal is on the request for handlers that shape what they show
(students see their peers under aliases).

- PUBLIC: anyone (health, readiness, the API document and its docs page; /metrics has its own
  token, see routes/ops.py).
- WRITE: services and admins (grades, batches, erasure).
- STUDENT: statistics of the `student_id` in the path: the student themself, a teacher of the
  path's `course_id`, services and admins.
- COURSE: course-level statistics of the path's `course_id`, with student ids: teachers of the
  course (the token's `courses` claim), services and admins.
- ADMIN: admins only (operator endpoints).
"""

import enum
import ipaddress
import logging
import uuid

from aiohttp import web

from entrypoints.auth import LOCAL_ADMIN, Forbidden, Principal, TokenVerifier
from entrypoints.settings import Settings

log = logging.getLogger(__name__)

VERIFIER = web.AppKey("token_verifier", TokenVerifier)  # absent when authentication is off
PRINCIPAL = web.RequestKey("principal", Principal)


class Access(enum.Enum):
    PUBLIC = "public"
    WRITE = "write"
    STUDENT = "student"
    COURSE = "course"
    ADMIN = "admin"


class UnsafeConfiguration(Exception):
    """The settings would expose grades without authentication."""


def token_verifier(settings: Settings) -> TokenVerifier | None:
    """The verifier the settings ask for, or None for authentication off (said loudly)."""
    problem = unsafe_configuration(settings)
    if problem:
        raise UnsafeConfiguration(problem)
    verifier = _verifier(settings)
    if verifier.configured and settings.auth.mode != "off":
        return verifier
    if settings.auth.mode == "off":
        log.warning(
            "AUTHENTICATION IS OFF (STATS_AUTH=off): anyone who can reach %s:%s can read and "
            "write every grade", settings.http.host, settings.http.port,
        )
    else:
        log.warning("authentication is off: no token key is configured (loopback address only)")
    return None


def unsafe_configuration(settings: Settings) -> str | None:
    """Why these settings must not serve, or None: without a token key the service runs open
    only on a loopback address, unless STATS_AUTH=off says so explicitly."""
    if settings.auth.mode == "off" or _verifier(settings).configured:
        return None
    if settings.auth.mode == "on":
        return "STATS_AUTH=on needs STATS_JWT_SECRET, STATS_JWT_PUBLIC_KEY or STATS_JWKS_FILE"
    if not _is_loopback(settings.http.host):
        return (
            f"refusing to serve grades on {settings.http.host} without authentication: set "
            "STATS_JWT_SECRET (or STATS_JWT_PUBLIC_KEY / STATS_JWKS_FILE), or STATS_AUTH=off "
            "to run open on purpose"
        )
    return None


def _verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(
        secret=settings.auth.jwt_secret,
        public_key=settings.auth.jwt_public_key,
        jwks_file=settings.auth.jwks_file,
        issuer=settings.auth.jwt_issuer,
        audience=settings.auth.jwt_audience,
        leeway=settings.auth.jwt_leeway,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def authorize(request: web.Request, access: Access) -> None:
    """Put the caller on the request, or raise Unauthorized / Forbidden."""
    if access is Access.PUBLIC:
        return
    verifier = request.app.get(VERIFIER)
    principal = (
        verifier.verify(request.headers.get("Authorization")) if verifier else LOCAL_ADMIN
    )
    request[PRINCIPAL] = principal
    if not _allowed(principal, access, request.match_info):
        raise Forbidden("this token does not grant access to this resource")


def _allowed(principal: Principal, access: Access, path: dict[str, str]) -> bool:
    match access:
        case Access.WRITE:
            return principal.may_write
        case Access.ADMIN:
            return principal.role.value == "admin"
        case Access.COURSE:
            return principal.may_read_course(path["course_id"])
        case Access.STUDENT:
            try:
                student_id = uuid.UUID(path["student_id"])
            except ValueError:
                # a malformed id: services and admins get the 400 that explains it
                return principal.reads_everything
            return principal.may_read_student(student_id, path.get("course_id"))
    return False


def principal_of(request: web.Request) -> Principal:
    return request.get(PRINCIPAL, LOCAL_ADMIN)
