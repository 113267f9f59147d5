"""The change feed on the real database: a grade recorded through the worker's use case reaches
a listening process as a change naming its course and student, on commit and only then; a lost
listening connection is announced and replaced."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from adapters.postgres import ConnectionPool, PostgresUnitOfWork, migrate, postgres_pool
from adapters.postgres.change_listener import PostgresChangeFeed
from application.commands import RecordGrades
from application.handlers.record_grades import RecordGradesHandler
from application.ports.changes import RESET, Change, ChangeSubscription
from domain.events import StudentErased, TaskGraded

pytestmark = pytest.mark.integration

T0 = datetime(2025, 3, 1, tzinfo=UTC)
DEADLINE = 30.0  # seconds: a bound for a hung test, not a measure of speed


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[ConnectionPool]:
    await migrate(fresh_database_url)
    async with postgres_pool(fresh_database_url, min_size=1, max_size=4) as pool:
        yield pool


@pytest.fixture
def feed(fresh_database_url: str) -> PostgresChangeFeed:
    return PostgresChangeFeed(fresh_database_url, check_interval=0.2, initial_delay=0.05)


@asynccontextmanager
async def hearing(feed: PostgresChangeFeed) -> AsyncIterator[ChangeSubscription]:
    """A subscription to the running feed, once it listens (the RESET it announces that with
    taken)."""
    with feed.subscribe() as changes:
        async with feed.running():
            assert await next_change(changes) == RESET
            assert feed.listening
            yield changes


def grade(student: uuid.UUID, course: str) -> TaskGraded:
    return TaskGraded(uuid.uuid4(), student, course, "essay", Decimal("7.5"), True, T0, T0)


async def next_change(changes: ChangeSubscription) -> Change:
    return await asyncio.wait_for(anext(changes), DEADLINE)


async def test_a_grade_the_worker_records_is_heard_naming_its_course_and_student(
    pool: ConnectionPool, feed: PostgresChangeFeed
) -> None:
    record = RecordGradesHandler(lambda: PostgresUnitOfWork(pool))
    student = uuid.uuid4()
    async with hearing(feed) as changes:
        await record(RecordGrades((grade(student, "math"),)))
        assert await next_change(changes) == Change(frozenset({"math"}), frozenset({student}))


async def test_a_change_is_delivered_on_commit_and_never_for_a_rollback(
    pool: ConnectionPool, feed: PostgresChangeFeed
) -> None:
    ana, ben, cleo = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with hearing(feed) as changes:
        async with PostgresUnitOfWork(pool) as rolled_back:
            await rolled_back.grades.record([grade(ana, "math")])
        async with PostgresUnitOfWork(pool) as late:
            await late.grades.record([grade(ben, "art")])
            async with PostgresUnitOfWork(pool) as early:  # commits while `late` is open
                await early.grades.record([grade(cleo, "music")])
                await early.commit()
            await late.commit()
        heard = [await next_change(changes), await next_change(changes)]
    assert heard == [
        Change(frozenset({"music"}), frozenset({cleo})),
        Change(frozenset({"art"}), frozenset({ben})),
    ]


async def test_an_erasure_is_heard_naming_the_students_courses(
    pool: ConnectionPool, feed: PostgresChangeFeed
) -> None:
    record = RecordGradesHandler(lambda: PostgresUnitOfWork(pool))
    student = uuid.uuid4()
    await record(RecordGrades((grade(student, "math"), grade(student, "art"))))
    async with hearing(feed) as changes:
        await record(RecordGrades((StudentErased(uuid.uuid4(), student, T0),)))
        assert await next_change(changes) == Change(
            frozenset({"math", "art"}), frozenset({student})
        )


async def test_a_lost_connection_is_announced_and_listening_resumes(
    fresh_database_url: str, pool: ConnectionPool, feed: PostgresChangeFeed
) -> None:
    record = RecordGradesHandler(lambda: PostgresUnitOfWork(pool))
    student = uuid.uuid4()
    async with hearing(feed) as changes:
        admin = await asyncpg.connect(fresh_database_url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'classconnect-stats-changes' "
                "AND datname = current_database()"
            )
        finally:
            await admin.close()
        assert await next_change(changes) == RESET  # stopped hearing
        assert await next_change(changes) == RESET  # listening again
        assert feed.listening
        await record(RecordGrades((grade(student, "math"),)))
        assert await next_change(changes) == Change(frozenset({"math"}), frozenset({student}))
