from application.ports import StatsReader
from application.queries import GetStudentCourseSummary
from application.views import StudentCourseSummaryView
from domain.errors import NotFound
from domain.statistics import as_number


class GetStudentCourseSummaryHandler:
    def __init__(self, reader: StatsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetStudentCourseSummary) -> StudentCourseSummaryView:
        tallies = await self._reader.student_course(query.student_id, query.course_id)
        courses, tasks = tallies.course_grades, tallies.task_grades
        if courses.count == 0 and tasks.count == 0:
            raise NotFound(f"student {query.student_id} has no grades in course {query.course_id}")
        return StudentCourseSummaryView(
            student_id=query.student_id,
            course_id=query.course_id,
            average_grade=as_number(courses.average),
            task_average=as_number(tasks.average),
            assignments_completed=tasks.count,
            on_time_percentage=as_number(tasks.on_time_percentage),
        )
