from application.figures import recent_grades, shown, trend
from application.ports import AnalyticsReader
from application.ports.analytics_reader import RoundedAverage
from application.queries import GetStudentCourses
from application.views import StudentCourseStanding, StudentCoursesView
from domain.statistics import average_cents, average_number, percentage_cents, percentage_number


class GetStudentCoursesHandler:
    """Every course the student has grades in: their summary there, and their standing.

    A rank and a percentile need only how many students of the course have a task average that
    rounds higher and lower than the student's: the reader counts those (a database from the
    rounded averages it keeps), without handing over every student of the course.
    """

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetStudentCourses) -> StudentCoursesView:
        own = await self._reader.student_courses(query.student_id)
        averages = {
            course_id: average_cents(tallies.task_total, tallies.task_count)
            for course_id, tallies in own
            if tallies.task_count
        }
        counts = {
            c.course_id: c
            for c in await self._reader.average_counts(
                [RoundedAverage(course_id, cents) for course_id, cents in averages.items()]
            )
        }
        courses: list[StudentCourseStanding] = []
        for course_id, tallies in own:
            average = averages.get(course_id)
            graded = (await self._reader.recent_task_grades(
                course_id, [query.student_id], None
            )).get(query.student_id, [])
            rank = percentile = None
            if average is not None:
                count = counts[course_id]
                if count.with_average == 0:
                    continue  # their grades were erased meanwhile
                rank = count.above + 1
                percentile = percentage_cents(count.below, count.with_average) / 100
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
