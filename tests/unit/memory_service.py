"""The use cases wired over the in-memory adapters by hand, as the container wires them, so the
unit suite does not depend on the composition root."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from grade_input import submit_read

from adapters.hmac_pseudonyms import HmacPseudonyms
from adapters.memory import (
    InMemoryDatabase,
    InMemoryStatsReader,
    InMemoryUnitOfWork,
    ManualClock,
)
from adapters.queue.memory import InMemoryEventQueue
from application.commands import RecordGrades, SubmitGrade
from application.handlers.get_course_average import GetCourseAverageHandler
from application.handlers.get_on_time_percentage import GetOnTimePercentageHandler
from application.handlers.get_student_average import GetStudentAverageHandler
from application.handlers.get_student_course_summary import GetStudentCourseSummaryHandler
from application.handlers.get_student_task_comparison import GetStudentTaskComparisonHandler
from application.handlers.get_task_averages import GetTaskAveragesHandler
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grades import SubmitGradesHandler
from domain.events import GradeEvent

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass
class Service:
    clock: ManualClock
    queue: InMemoryEventQueue
    database: InMemoryDatabase
    submit_grades: SubmitGradesHandler
    record: RecordGradesHandler
    summary: GetStudentCourseSummaryHandler
    student_average: GetStudentAverageHandler
    course_average: GetCourseAverageHandler
    comparison: GetStudentTaskComparisonHandler
    task_averages: GetTaskAveragesHandler
    on_time: GetOnTimePercentageHandler

    async def submit(self, commands: Sequence[SubmitGrade], prefix: str = "") -> list[uuid.UUID]:
        """Submit as the API does: each command read by its request model at one "now"."""
        return await submit_read(self.submit_grades, commands, self.clock.now(), prefix)

    async def deliver(self) -> int:
        """Hand every queued event to the recording use case, as the worker does."""
        return await self.queue.deliver(self._record)

    async def _record(self, events: Sequence[GradeEvent]) -> int:
        return await self.record(RecordGrades(events))


def build_service(now: datetime = NOW) -> Service:
    clock = ManualClock(now)
    queue = InMemoryEventQueue()
    database = InMemoryDatabase()
    reader = InMemoryStatsReader(database)
    return Service(
        clock=clock,
        queue=queue,
        database=database,
        submit_grades=SubmitGradesHandler(queue),
        record=RecordGradesHandler(lambda: InMemoryUnitOfWork(database)),
        summary=GetStudentCourseSummaryHandler(reader),
        student_average=GetStudentAverageHandler(reader, clock),
        course_average=GetCourseAverageHandler(reader, clock),
        comparison=GetStudentTaskComparisonHandler(
            reader, HmacPseudonyms(b"test-pseudonym-key-0123456789")
        ),
        task_averages=GetTaskAveragesHandler(reader),
        on_time=GetOnTimePercentageHandler(reader, clock),
    )
