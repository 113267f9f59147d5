"""What the contract suite runs against: a unit-of-work factory and a reader on one store."""

from collections.abc import Callable, Sequence
from typing import NamedTuple

from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from adapters.postgres import ConnectionPool, PostgresStatsReader, PostgresUnitOfWork
from application.ports import StatsReader, UnitOfWork
from domain.events import GradeEvent

# Everything the Postgres store writes, for tests that start over between examples.
RECORDED_TABLES = (
    "course_grades",
    "task_grade_events",
    "current_task_grades",
    "student_erasures",
    "student_course_tallies",
    "student_course_grade_days",
    "course_grade_days",
    "course_task_grade_days",
    "course_task_tallies",
    "course_task_grade_values",
    "student_course_recent_grades",
)


class AdapterSet(NamedTuple):
    unit_of_work: Callable[[], UnitOfWork]
    stats_reader: StatsReader

    async def record(self, events: Sequence[GradeEvent]) -> int:
        """Record one batch in a committed unit of work, as the worker does."""
        async with self.unit_of_work() as uow:
            changed = await uow.grades.record(events)
            await uow.commit()
        return changed


def memory_adapters() -> AdapterSet:
    database = InMemoryDatabase()
    return AdapterSet(lambda: InMemoryUnitOfWork(database), InMemoryStatsReader(database))


def postgres_adapters(pool: ConnectionPool) -> AdapterSet:
    return AdapterSet(lambda: PostgresUnitOfWork(pool), PostgresStatsReader(pool))
