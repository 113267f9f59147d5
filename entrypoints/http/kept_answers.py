"""Reads whose answers are kept ready (`answer_cache`): what each one read, whether it ends at
the time of the request, and serving a kept answer over HTTP with its ETag (a 304 when the client
has it)."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pydantic_core
from aiohttp import web

from application.views import TimeRange
from entrypoints.http.answer_cache import Answer, Reads, etag_of

JSON = "application/json"

# An open-ended period ends "now", and its answer says when that was; what it counts does not
# depend on the time (an open end is no end: every recorded grade is in it). So such an answer is
# kept with this moment as its end and served with the time of the request in its place. No
# grade's time can be this (at most 5 minutes ahead of its acceptance), so only the end is it.
NOW_MARK_TIME = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
NOW_MARK = pydantic_core.to_json(NOW_MARK_TIME)


def path_reads(query: Any, _view: Any) -> Reads:
    """The course and student of the path: every read that names them reads nothing else."""
    course = getattr(query, "course_id", None)
    student = getattr(query, "student_id", None)
    return Reads(
        frozenset() if course is None else frozenset({course}),
        frozenset() if student is None else frozenset({student}),
    )


def own_reads(query: Any, _view: Any) -> Reads:
    """The path's student only: the answer shows the student's own grades (in the path's course),
    and every change to them names the student. Peers' grades in the course leave it kept."""
    return Reads(students=frozenset({query.student_id}))


def path_and_listed_courses(query: Any, view: Any) -> Reads:
    """The path's, and every course the answer lists (a standing there moves with any grade of
    the course)."""
    reads = path_reads(query, view)
    listed = frozenset(course.course_id for course in view.courses)
    return Reads(reads.courses | listed, reads.students)


def open_ended(query: Any) -> bool:
    """A period without an end date ends "now", and the answer says when that was."""
    return query.window.end_date is None


def ending_at_the_mark(view: Any) -> Any:
    """The view of an open-ended period with NOW_MARK_TIME as its end."""
    return dataclasses.replace(view, time_range=TimeRange(view.time_range.start, NOW_MARK_TIME))


@dataclass(frozen=True)
class Kept:
    """How a read's answers are kept: `reads(query, view)` says what an answer read, and an
    answer for which `ends_now(query)` holds is kept with NOW_MARK as its end."""

    reads: Callable[[Any, Any], Reads] = path_reads
    ends_now: Callable[[Any], bool] = lambda _query: False


def answered(request: web.Request, answer: Answer, now: datetime) -> web.Response:
    """The kept answer, with `now` in place of its NOW_MARK if it has one."""
    body, tag = answer.body, answer.etag
    if answer.now_mark is not None:
        body = body.replace(answer.now_mark, pydantic_core.to_json(now))
        tag = etag_of(body)
    if _matches(request.headers.get("If-None-Match"), tag):
        return web.Response(status=304, headers={"ETag": tag})
    return web.Response(body=body, content_type=JSON, headers={"ETag": tag})


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison, a list of tags or `*`."""
    if not if_none_match:
        return False
    tags = (tag.strip() for tag in if_none_match.split(","))
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)
