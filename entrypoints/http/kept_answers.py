"""Reads whose answers are kept ready (`answer_cache`): what each one read, whether it depends on
the time, and serving a kept answer over HTTP with its ETag (a 304 when the client has it)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from entrypoints.http.answer_cache import Answer, Reads

JSON = "application/json"


def path_reads(query: Any, _view: Any) -> Reads:
    """The course and student of the path: every read that names them reads nothing else."""
    course = getattr(query, "course_id", None)
    student = getattr(query, "student_id", None)
    return Reads(
        frozenset() if course is None else frozenset({course}),
        frozenset() if student is None else frozenset({student}),
    )


def path_and_listed_courses(query: Any, view: Any) -> Reads:
    """The path's, and every course the answer lists (a standing there moves with any grade of
    the course)."""
    reads = path_reads(query, view)
    listed = frozenset(course.course_id for course in view.courses)
    return Reads(reads.courses | listed, reads.students)


def open_ended(query: Any) -> bool:
    """A period without an end date ends "now", and the answer says when that was."""
    return query.window.end_date is None


@dataclass(frozen=True)
class Kept:
    """How a read's answers are kept: `reads(query, view)` says what an answer read, and an
    answer for which `depends_on_now(query)` holds is kept for the freshness bound at most."""

    reads: Callable[[Any, Any], Reads] = path_reads
    depends_on_now: Callable[[Any], bool] = lambda _query: False


def answered(request: web.Request, answer: Answer) -> web.Response:
    if _matches(request.headers.get("If-None-Match"), answer.etag):
        return web.Response(status=304, headers={"ETag": answer.etag})
    return web.Response(body=answer.body, content_type=JSON, headers={"ETag": answer.etag})


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison, a list of tags or `*`."""
    if not if_none_match:
        return False
    tags = (tag.strip() for tag in if_none_match.split(","))
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)
