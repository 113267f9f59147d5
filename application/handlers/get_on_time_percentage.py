from application.figures import on_time, time_range
from application.ports import Clock, GradeScope, StatsReader
from application.queries import GetOnTimePercentage
from application.views import OnTimePercentageView


class GetOnTimePercentageHandler:
    def __init__(self, reader: StatsReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def __call__(self, query: GetOnTimePercentage) -> OnTimePercentageView:
        scope = GradeScope(query.window, query.group_by, query.student_id, query.course_id)
        return OnTimePercentageView(
            course_id=query.course_id,
            student_id=query.student_id,
            data=on_time(await self._reader.on_time_series(scope)),
            time_range=time_range(query.window, self._clock),
            group_by=query.group_by,
        )
