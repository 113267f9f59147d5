"""The write side: a batch of grades in one set-based statement, whatever its size, with every
aggregate of the read side brought up to date in it (see `recording_sql`).

Every rule is enforced by the database, so concurrent transactions cannot race each other: the
event-id primary keys make recording idempotent, the current grade of a slot is replaced only
inside the upsert, by a row comparison against the stored recency, and the tallies change by what
that upsert reports it replaced. What cannot be added up, the values at a task's quartile ranks,
is rederived for the tasks the statement changed by a second statement in the same transaction
(`recording_sql.REFRESH_RANKED`).

A large batch (`BULK_THRESHOLD` events or more) is copied into a temporary table first
(`COPY`, binary) instead of being sent as arrays; the statement is the same.

The transaction notifies the courses and students it touches (`change_notices`), delivered to
every listening API process when it commits.

A StudentErased splits the batch: the grades before it, the erasure, the grades after it, in
that order, as the in-memory store applies them one by one.
"""

import uuid
from collections.abc import Sequence

import asyncpg

from adapters.postgres import recording_sql as sql
from adapters.postgres.change_notices import notify_changed
from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded

BULK_THRESHOLD = 5000

_RECORD_FROM_ARRAYS = sql.record_grades_sql(sql.BATCH_FROM_ARRAYS)
_RECORD_FROM_TABLE = sql.record_grades_sql(sql.BATCH_FROM_TABLE)

Grade = CourseGraded | TaskGraded


class PostgresGradeStore:
    """Records events through the unit of work's connection, inside its transaction."""

    def __init__(
        self,
        connection: asyncpg.Connection,
        *,
        bulk_threshold: int = BULK_THRESHOLD,
    ) -> None:
        self._connection = connection
        self._bulk_threshold = bulk_threshold
        # What the transaction's notices named so far (the unit of work empties it on commit).
        self.touched: tuple[set[str], set[uuid.UUID]] = (set(), set())

    async def record(self, events: Sequence[GradeEvent]) -> int:
        if any(isinstance(e, StudentErased) for e in events):
            # Before anything else: see LOCK_FOR_ERASURE.
            await self._connection.execute(sql.LOCK_FOR_ERASURE)
        changed = 0
        grades: list[Grade] = []
        courses = {e.course_id for e in events if not isinstance(e, StudentErased)}
        for event in events:
            if isinstance(event, StudentErased):
                changed += await self._record_grades(grades)
                grades = []
                courses |= await self._courses_of(event.student_id)
                changed += await self._erase(event)
            else:
                grades.append(event)
        changed += await self._record_grades(grades)
        students = {e.student_id for e in events}
        await notify_changed(self._connection, courses, students)
        self.touched[0].update(courses)
        self.touched[1].update(students)
        return changed

    async def reused_ids(self, grades: Sequence[Grade]) -> set[uuid.UUID]:
        if not grades:
            return set()
        columns = _columns(grades)[1:9]  # is_task .. graded_at
        rows = await self._connection.fetch(sql.REUSED_IDS, *columns)
        return {row["event_id"] for row in rows}

    async def _record_grades(self, grades: Sequence[Grade]) -> int:
        if not grades:
            return 0
        if len(grades) >= self._bulk_threshold:
            return await self._refreshed(await self._record_through_copy(grades))
        return await self._refreshed(
            await self._connection.fetchrow(_RECORD_FROM_ARRAYS, *_columns(grades))
        )

    async def _record_through_copy(self, grades: Sequence[Grade]) -> asyncpg.Record:
        connection = self._connection
        await connection.execute(sql.CREATE_INCOMING)
        await connection.execute(sql.TRUNCATE_INCOMING)
        await connection.copy_records_to_table(
            sql.INCOMING_TABLE, records=_rows(grades), columns=sql.INCOMING_COLUMNS
        )
        return await connection.fetchrow(_RECORD_FROM_TABLE)

    async def _refreshed(self, changes: asyncpg.Record) -> int:
        """Bring the quartile values of the tasks a statement changed up to date
        (sql.REFRESH_RANKED); returns the statement's count."""
        if changes["task_ids"]:
            await self._connection.execute(
                sql.REFRESH_RANKED, changes["task_courses"], changes["task_ids"]
            )
        changed: int = changes["changed"]
        return changed

    async def _courses_of(self, student_id: uuid.UUID) -> set[str]:
        rows = await self._connection.fetch(sql.COURSES_OF_STUDENT, student_id)
        return {row["course_id"] for row in rows}

    async def _erase(self, erasure: StudentErased) -> int:
        connection = self._connection
        survivors = await connection.fetch(
            sql.SURVIVORS_OF_ERASED_SLOTS, erasure.student_id, erasure.accepted_at
        )
        erased = await connection.fetchrow(
            sql.ERASE_STUDENT, erasure.student_id, erasure.accepted_at
        )
        removed = await self._refreshed(erased)
        await connection.execute(sql.FORGET_EMPTY_ROWS, erasure.student_id)
        if erased["student_courses"]:
            await connection.execute(
                sql.RECENT_OF_STUDENT, erasure.student_id, erased["student_courses"]
            )
        if survivors:  # the emptied slots fall back to them (not counted: nothing was removed)
            await connection.execute(sql.FORGET_TASK_EVENTS, [r["event_id"] for r in survivors])
            await self._record_grades([TaskGraded(**dict(r)) for r in survivors])
        return removed


def _columns(grades: Sequence[Grade]) -> list[list[object]]:
    """The statement's ten parallel arrays, in INCOMING_COLUMNS order."""
    return [list(column) for column in zip(*_rows(grades), strict=True)]


def _rows(grades: Sequence[Grade]) -> list[tuple[object, ...]]:
    return [
        (
            arrival,
            isinstance(e, TaskGraded),
            e.event_id,
            e.student_id,
            e.course_id,
            e.task_id if isinstance(e, TaskGraded) else None,
            e.grade,
            e.on_time,
            e.graded_at,
            e.accepted_at,
        )
        for arrival, e in enumerate(grades)
    ]
