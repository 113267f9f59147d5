"""What a recording transaction tells the API processes: `pg_notify` on one channel, sent inside
the transaction, so PostgreSQL delivers it on commit and never for a rollback.

A notice is JSON `{"c": [course ids], "s": [student ids]}` within PostgreSQL's payload limit
(8000 bytes): a transaction touching more is split over several notices, and past
`MAX_NOTICES` of them sends the single notice `*` ("anything may have changed") instead.
"""

import json
import uuid
from collections.abc import Iterable, Iterator

import asyncpg

from application.ports.changes import RESET, Change
from domain.values import CourseId, StudentId

CHANNEL = "ccstats_changes"
PAYLOAD_LIMIT = 7900  # bytes; PostgreSQL refuses 8000 or more
MAX_NOTICES = 8
ANYTHING = "*"

_NOTIFY = "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload"


async def notify_changed(
    connection: asyncpg.Connection, courses: Iterable[CourseId], students: Iterable[StudentId]
) -> None:
    """Queue the notices naming `courses` and `students` in the connection's transaction."""
    payloads = notices(courses, students)
    if payloads:
        await connection.execute(_NOTIFY, CHANNEL, payloads)


def notices(courses: Iterable[CourseId], students: Iterable[StudentId]) -> list[str]:
    ids = [("c", course) for course in sorted(set(courses))]
    ids += [("s", str(student)) for student in sorted(set(students))]
    payloads = list(_packed(ids))
    return [ANYTHING] if len(payloads) > MAX_NOTICES else payloads


def _packed(ids: list[tuple[str, str]]) -> Iterator[str]:
    """Notices of at most PAYLOAD_LIMIT bytes (ids are ASCII: a course id is a slug, a student
    id a UUID, so a character is a byte)."""
    chunk: dict[str, list[str]] = {"c": [], "s": []}
    size = len('{"c":[],"s":[]}')
    for kind, value in ids:
        cost = len(value) + 3  # the quotes and a comma
        if size + cost > PAYLOAD_LIMIT:
            yield _encoded(chunk)
            chunk, size = {"c": [], "s": []}, len('{"c":[],"s":[]}')
        chunk[kind].append(value)
        size += cost
    if chunk["c"] or chunk["s"]:
        yield _encoded(chunk)


def _encoded(chunk: dict[str, list[str]]) -> str:
    return json.dumps(chunk, separators=(",", ":"))


def change_of(payload: str) -> Change:
    """The change a notice names; RESET for `*` or for anything it cannot read."""
    if payload == ANYTHING:
        return RESET
    try:
        decoded = json.loads(payload)
        return Change(
            frozenset(str(course) for course in decoded["c"]),
            frozenset(uuid.UUID(student) for student in decoded["s"]),
        )
    except (ValueError, KeyError, TypeError):
        return RESET
