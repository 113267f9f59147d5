"""Complete in-memory implementations of every port, for fast tests and the in-process mode."""

from adapters.memory.clock import ManualClock
from adapters.memory.database import InMemoryDatabase
from adapters.memory.grade_store import InMemoryGradeStore
from adapters.memory.stats_reader import InMemoryStatsReader
from adapters.memory.unit_of_work import InMemoryUnitOfWork

__all__ = [
    "InMemoryDatabase",
    "InMemoryGradeStore",
    "InMemoryStatsReader",
    "InMemoryUnitOfWork",
    "ManualClock",
]
