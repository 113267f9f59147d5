from application.figures import averages, time_range
from application.ports import Clock, GradeScope, StatsReader
from application.queries import GetCourseAverage
from application.views import CourseAverageView
from domain.statistics import as_number


class GetCourseAverageHandler:
    def __init__(self, reader: StatsReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def __call__(self, query: GetCourseAverage) -> CourseAverageView:
        scope = GradeScope(query.window, query.group_by, course_id=query.course_id)
        series = await self._reader.course_grade_series(scope)
        return CourseAverageView(
            course_id=query.course_id,
            average_grade=as_number(series.overall.average),
            total_students=series.students,
            averages=averages(series.periods),
            time_range=time_range(query.window, self._clock),
            group_by=query.group_by,
        )
