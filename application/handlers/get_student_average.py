from application.figures import averages, time_range
from application.ports import Clock, GradeScope, StatsReader
from application.queries import GetStudentAverage
from application.views import StudentAverageView
from domain.statistics import as_number


class GetStudentAverageHandler:
    def __init__(self, reader: StatsReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def __call__(self, query: GetStudentAverage) -> StudentAverageView:
        scope = GradeScope(query.window, query.group_by, student_id=query.student_id)
        series = await self._reader.course_grade_series(scope)
        return StudentAverageView(
            student_id=query.student_id,
            average_grade=as_number(series.overall.average),
            grade_count=series.overall.count,
            averages=averages(series.periods),
            time_range=time_range(query.window, self._clock),
            group_by=query.group_by,
        )
