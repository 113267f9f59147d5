"""The analytics use cases and the write path over the in-memory adapters, wired by hand."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork, ManualClock
from adapters.memory.analytics_reader import InMemoryAnalyticsReader
from adapters.queue.memory import InMemoryEventQueue
from application.commands import RecordGrades
from application.handlers.erase_student import EraseStudentHandler
from application.handlers.export_course_grades import ExportCourseGradesHandler
from application.handlers.find_at_risk_students import FindAtRiskStudentsHandler
from application.handlers.get_average_distribution import GetAverageDistributionHandler
from application.handlers.get_student_courses import GetStudentCoursesHandler
from application.handlers.get_task_spreads import GetTaskSpreadsHandler
from application.handlers.list_course_students import ListCourseStudentsHandler
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grade_batch import SubmitGradeBatchHandler
from application.handlers.submit_grades import SubmitGrades
from domain.events import GradeEvent

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass
class Analytics:
    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    queue: InMemoryEventQueue = field(default_factory=InMemoryEventQueue)
    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)

    def __post_init__(self) -> None:
        reader = InMemoryAnalyticsReader(self.database)
        self.reader = reader
        self.submit = SubmitGrades(self.queue, self.clock)
        self.batch = SubmitGradeBatchHandler(self.queue, self.clock)
        self.erase = EraseStudentHandler(self.queue, self.clock)
        self.record = RecordGradesHandler(lambda: InMemoryUnitOfWork(self.database))
        self.task_spreads = GetTaskSpreadsHandler(reader)
        self.students = ListCourseStudentsHandler(reader)
        self.distribution = GetAverageDistributionHandler(reader)
        self.at_risk = FindAtRiskStudentsHandler(reader)
        self.student_courses = GetStudentCoursesHandler(reader)
        self.export = ExportCourseGradesHandler(reader, page_size=2)

    async def deliver(self) -> int:
        return await self.queue.deliver(self._record)

    async def _record(self, events: Sequence[GradeEvent]) -> int:
        return await self.record(RecordGrades(events))
