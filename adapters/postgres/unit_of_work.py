import uuid
from collections.abc import Callable, Iterable
from typing import Self

import asyncpg

from adapters.postgres.failures import is_transient, reported_as_unavailable, unavailable
from adapters.postgres.grade_store import PostgresGradeStore
from adapters.postgres.pool import ConnectionPool
from application.ports.errors import StoreUnavailable

Announce = Callable[[Iterable[str], Iterable[uuid.UUID]], None]


class PostgresUnitOfWork:
    """One pooled connection in one transaction for the length of an `async with` block.

    `announce`, when given, is told the courses and students of each commit as soon as it is
    done: this process's own change feed hears its own commits at once, without waiting for
    PostgreSQL's notification (which comes as well)."""

    def __init__(self, pool: ConnectionPool, announce: Announce | None = None) -> None:
        self._pool = pool
        self._announce = announce
        self._connection: asyncpg.Connection | None = None

    @property
    def connection(self) -> asyncpg.Connection:
        """The connection this unit of work holds, for work that must share its transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use `async with`")
        return self._connection

    async def __aenter__(self) -> Self:
        connection = await self._pool.acquire()
        try:
            with reported_as_unavailable():
                await connection.execute("BEGIN")
        except BaseException:
            await self._pool.release(connection)
            raise
        self._connection = connection
        self.grades = PostgresGradeStore(connection)
        return self

    async def __aexit__(self, _type: object, exc: BaseException | None, _tb: object) -> None:
        connection, self._connection = self.connection, None
        try:
            with reported_as_unavailable():
                if not connection.is_closed():
                    await connection.execute("ROLLBACK")  # only what came after the last commit
        finally:
            await self._pool.release(connection)
        if isinstance(exc, Exception) and not isinstance(exc, StoreUnavailable) and is_transient(exc):
            # what the block's statements raised, as the port reports it (a connection lost
            # midway, a serialization failure)
            raise unavailable(exc) from exc

    async def commit(self) -> None:
        # Like the in-memory unit of work, the block may go on recording after a commit; that
        # work is a new transaction, rolled back on exit unless committed in turn.
        await self.connection.execute("COMMIT; BEGIN")
        courses, students = self.grades.touched
        if self._announce is not None and (courses or students):
            self._announce(courses, students)
        self.grades.touched = (set(), set())
