from application.analytics_queries import GetTaskSpreads, TaskSpread, TaskSpreadsView
from application.ports import AnalyticsReader
from application.ports.analytics_reader import TaskSpreadFacts
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
    spread = Spread.from_facts(task.facts)
    # Figures are whole cents: int / int is correctly rounded, the float of the 2-decimal value.
    return TaskSpread(
        task_id=task.task_id,
        graded_count=spread.count,
        average=spread.mean / 100,
        min=spread.minimum / 100,
        max=spread.maximum / 100,
        median=spread.median / 100,
        first_quartile=spread.first_quartile / 100,
        third_quartile=spread.third_quartile / 100,
        std_dev=spread.std_dev / 100,
        histogram=spread.histogram,
        on_time_count=task.on_time,
        late_count=spread.count - task.on_time,
    )
