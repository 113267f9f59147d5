from typing import Self

from adapters.memory.database import InMemoryDatabase
from adapters.memory.grade_store import InMemoryGradeStore


class InMemoryUnitOfWork:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self.grades = InMemoryGradeStore(self._database)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.grades.rollback()  # a no-op after commit

    async def commit(self) -> None:
        self.grades.commit()
