from application.figures import shown
from application.ports import StatsReader
from application.queries import GetTaskAverages
from application.views import StudentAverage, TaskAveragesView


class GetTaskAveragesHandler:
    def __init__(self, reader: StatsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetTaskAverages) -> TaskAveragesView:
        ranked = await self._reader.ranked_task_grades(query.course_id, query.task_id)
        return TaskAveragesView(
            course_id=query.course_id,
            task_id=query.task_id,
            group_average=shown(ranked.overall_cents),
            students=[
                StudentAverage(student_id, cents / 100, count)
                for student_id, cents, count in zip(
                    ranked.student_ids, ranked.cents, ranked.counts, strict=True
                )
            ],
        )
