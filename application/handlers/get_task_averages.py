from application.figures import best_first
from application.ports import StatsReader
from application.queries import GetTaskAverages
from application.views import TaskAveragesView
from domain.statistics import Tally, as_number


class GetTaskAveragesHandler:
    def __init__(self, reader: StatsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetTaskAverages) -> TaskAveragesView:
        tallies = await self._reader.task_tallies_for_task(query.course_id, query.task_id)
        group = Tally.of_all(t.tally for t in tallies)
        return TaskAveragesView(
            course_id=query.course_id,
            task_id=query.task_id,
            group_average=as_number(group.average),
            students=best_first(tallies),
        )
