from application.analytics_queries import (
    GetStudentCourses,
    StudentCourseStanding,
    StudentCoursesView,
)
from application.handlers.standings import Standing, standings
from application.ports import AnalyticsReader
from domain.statistics import as_number


class GetStudentCoursesHandler:
    """Every course the student has grades in: their summary there, and their standing."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetStudentCourses) -> StudentCoursesView:
        courses: list[StudentCourseStanding] = []
        for course_id in await self._reader.courses_of(query.student_id):
            own = next(
                (
                    s
                    for s in standings(await self._reader.students(course_id))
                    if s.student.student_id == query.student_id
                ),
                None,
            )
            if own is not None:  # None only if their grades were erased meanwhile
                courses.append(_standing(course_id, own))
        return StudentCoursesView(student_id=query.student_id, courses=courses)


def _standing(course_id: str, own: Standing) -> StudentCourseStanding:
    tallies = own.student
    return StudentCourseStanding(
        course_id=course_id,
        average_grade=as_number(tallies.course_grades.average),
        task_average=as_number(own.average),
        assignments_completed=tallies.task_grades.count,
        on_time_percentage=as_number(own.on_time_percentage),
        rank=own.rank,
        percentile=as_number(own.percentile),
    )
