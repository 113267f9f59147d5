from application.handlers.series import best_first
from application.ports import StatsReader
from application.queries import (
    GetStudentTaskComparison,
    StudentTaskComparisonView,
)
from domain.statistics import as_number


class GetStudentTaskComparisonHandler:
    def __init__(self, reader: StatsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetStudentTaskComparison) -> StudentTaskComparisonView:
        tallies = await self._reader.task_tallies_by_student(query.course_id)
        own = next((t.tally for t in tallies if t.student_id == query.student_id), None)
        others = [t for t in tallies if t.student_id != query.student_id]
        return StudentTaskComparisonView(
            student_id=query.student_id,
            course_id=query.course_id,
            student_average=as_number(own.average) if own else None,
            other_students=best_first(others),
            warning=None
            if own
            else f"student {query.student_id} has no graded tasks in course {query.course_id}",
        )

