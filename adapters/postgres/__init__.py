"""PostgreSQL implementations of the storage ports, over an asyncpg pool."""

from adapters.postgres.bulk import bulk_load
from adapters.postgres.grade_store import PostgresGradeStore
from adapters.postgres.migrate import migrate
from adapters.postgres.pool import ConnectionPool, new_pool, opened, postgres_pool
from adapters.postgres.stats_reader import PostgresStatsReader
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.postgres.verify import verify

__all__ = [
    "ConnectionPool",
    "PostgresGradeStore",
    "PostgresStatsReader",
    "PostgresUnitOfWork",
    "bulk_load",
    "migrate",
    "new_pool",
    "opened",
    "postgres_pool",
    "verify",
]
