"""The analytics use cases and the write path over the in-memory adapters, wired by hand."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from grade_input import submit_batch, submit_read

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork, ManualClock
from adapters.memory.analytics_reader import InMemoryAnalyticsReader
from adapters.queue.memory import InMemoryEventQueue
from application.commands import EraseStudent, RecordGrades, SubmitGrade
from application.handlers.erase_student import EraseStudentHandler
from application.handlers.export_course_grades import ExportCourseGradesHandler
from application.handlers.find_at_risk_students import FindAtRiskStudentsHandler
from application.handlers.get_average_distribution import GetAverageDistributionHandler
from application.handlers.get_student_courses import GetStudentCoursesHandler
from application.handlers.get_task_spreads import GetTaskSpreadsHandler
from application.handlers.list_course_students import ListCourseStudentsHandler
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grades import SubmitGradesHandler
from domain.events import GradeEvent
from entrypoints.http.routes.grades import BatchAccepted

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass
class Analytics:
    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    queue: InMemoryEventQueue = field(default_factory=InMemoryEventQueue)
    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)

    def __post_init__(self) -> None:
        reader = InMemoryAnalyticsReader(self.database)
        self.reader = reader
        self.submit_grades = SubmitGradesHandler(self.queue)
        self.erase_student = EraseStudentHandler(self.queue)
        self.record = RecordGradesHandler(lambda: InMemoryUnitOfWork(self.database))
        self.task_spreads = GetTaskSpreadsHandler(reader)
        self.students = ListCourseStudentsHandler(reader)
        self.distribution = GetAverageDistributionHandler(reader)
        self.at_risk = FindAtRiskStudentsHandler(reader)
        self.student_courses = GetStudentCoursesHandler(reader)
        self.export = ExportCourseGradesHandler(reader, page_size=2)

    async def submit(self, commands: Sequence[SubmitGrade], prefix: str = "") -> list[uuid.UUID]:
        return await submit_read(self.submit_grades, commands, self.clock.now(), prefix)

    async def batch(self, body: object) -> BatchAccepted:
        """A batch body (decoded JSON) as POST /stats/grades/batch reads and answers it."""
        event_ids = await submit_batch(self.submit_grades, body, self.clock.now())
        return BatchAccepted(len(event_ids), event_ids)

    async def erase(self, command: EraseStudent) -> uuid.UUID:
        return await self.erase_student(command, self.clock.now())

    async def deliver(self) -> int:
        return await self.queue.deliver(self._record)

    async def _record(self, events: Sequence[GradeEvent]) -> int:
        return await self.record(RecordGrades(events))
