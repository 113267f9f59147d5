"""PostgreSQL implementations of the storage ports, over an asyncpg pool."""

from adapters.postgres.grade_store import PostgresGradeStore
from adapters.postgres.migrate import migrate
from adapters.postgres.pool import new_pool, opened, postgres_pool
from adapters.postgres.stats_reader import PostgresStatsReader
from adapters.postgres.unit_of_work import PostgresUnitOfWork

__all__ = [
    "PostgresGradeStore",
    "PostgresStatsReader",
    "PostgresUnitOfWork",
    "migrate",
    "new_pool",
    "opened",
    "postgres_pool",
]
