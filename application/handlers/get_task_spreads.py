from collections import defaultdict

from application.analytics_queries import GetTaskSpreads, TaskSpread, TaskSpreadsView
from application.ports import AnalyticsReader, CurrentTaskGrade
from domain.distribution import Spread
from domain.statistics import as_number
from domain.values import TaskId


class GetTaskSpreadsHandler:
    """The spread of the current grades of each task of a course that has any."""

    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetTaskSpreads) -> TaskSpreadsView:
        by_task: dict[TaskId, list[CurrentTaskGrade]] = defaultdict(list)
        for grade in await self._reader.task_grades(query.course_id):
            by_task[grade.task_id].append(grade)
        return TaskSpreadsView(
            course_id=query.course_id,
            tasks=[_spread(task_id, by_task[task_id]) for task_id in sorted(by_task)],
        )


def _spread(task_id: TaskId, grades: list[CurrentTaskGrade]) -> TaskSpread:
    spread = Spread.of([g.grade for g in grades])
    on_time = sum(1 for g in grades if g.on_time)
    return TaskSpread(
        task_id=task_id,
        graded_count=spread.count,
        average=as_number(spread.mean),
        min=as_number(spread.minimum),
        max=as_number(spread.maximum),
        median=as_number(spread.median),
        first_quartile=as_number(spread.first_quartile),
        third_quartile=as_number(spread.third_quartile),
        std_dev=as_number(spread.std_dev),
        histogram=spread.histogram,
        on_time_count=on_time,
        late_count=spread.count - on_time,
    )

