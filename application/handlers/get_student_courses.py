from application.figures import recent_grades, shown, trend
from application.ports import AnalyticsReader
from application.queries import GetStudentCourses
from application.views import StudentCourseStanding, StudentCoursesView
from domain.statistics import average_cents, average_number, percentage_cents, percentage_number


class GetStudentCoursesHandler:
    """Every course the student has grades in: their summary there, and their standing.

    A rank and a percentile need only how many students of the course have a task average that
    rounds higher and lower than the student's: the reader counts those (a database from the
    rounded averages it keeps), without handing over every student of the course, and reads them
    with the student's grades in every course at once.
    """

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetStudentCourses) -> StudentCoursesView:
        courses: list[StudentCourseStanding] = []
        for course_id, tallies, counts, graded in await self._reader.student_course_facts(
            query.student_id
        ):
            average = (
                average_cents(tallies.task_total, tallies.task_count)
                if tallies.task_count
                else None
            )
            rank = percentile = None
            if average is not None and counts is not None and counts.with_average:
                rank = counts.above + 1
                percentile = percentage_cents(counts.below, counts.with_average) / 100
            courses.append(
                StudentCourseStanding(
                    course_id=course_id,
                    average_grade=average_number(tallies.course_total, tallies.course_count),
                    task_average=shown(average),
                    assignments_completed=tallies.task_count,
                    on_time_percentage=percentage_number(tallies.task_on_time, tallies.task_count),
                    rank=rank,
                    percentile=percentile,
                    trend=trend(graded),
                    task_grades=recent_grades(graded),
                )
            )
        return StudentCoursesView(student_id=query.student_id, courses=courses)
