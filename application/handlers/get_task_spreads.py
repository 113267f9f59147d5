from application.figures import spread
from application.ports import AnalyticsReader
from application.ports.analytics_reader import TaskSpreadFacts
from application.queries import GetTaskSpreads
from application.views import TaskSpread, TaskSpreadsView
from domain.distribution import Spread


class GetTaskSpreadsHandler:
    """The spread of the current grades of each task of a course that has any."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetTaskSpreads) -> TaskSpreadsView:
        return TaskSpreadsView(
            course_id=query.course_id,
            tasks=[_spread(task) for task in await self._reader.task_spreads(query.course_id)],
        )


def _spread(task: TaskSpreadFacts) -> TaskSpread:
    figures = Spread.from_facts(task.facts)
    return TaskSpread(
        task.task_id, figures.count, *spread(figures), task.on_time, figures.count - task.on_time
    )
