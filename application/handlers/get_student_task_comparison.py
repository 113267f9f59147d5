from application.ports import Pseudonyms, StatsReader
from application.queries import GetStudentTaskComparison
from application.views import PeerAverage, StudentAverage, StudentTaskComparisonView


class GetStudentTaskComparisonHandler:
    def __init__(self, reader: StatsReader, pseudonyms: Pseudonyms) -> None:
        self._reader = reader
        self._pseudonyms = pseudonyms

    async def __call__(self, query: GetStudentTaskComparison) -> StudentTaskComparisonView:
        ranked = await self._reader.ranked_task_averages(query.course_id)
        own: float | None = None
        others: list[StudentAverage] | list[PeerAverage]
        peers = []
        for student_id, cents, count in zip(
            ranked.student_ids, ranked.cents, ranked.counts, strict=True
        ):
            if student_id == query.student_id:
                own = cents / 100
            else:
                peers.append((student_id, cents / 100, count))
        if query.anonymize_peers:
            alias = self._pseudonyms.alias
            others = [
                PeerAverage(alias(query.course_id, student_id), average, count)
                for student_id, average, count in peers
            ]
        else:
            others = [StudentAverage(*peer) for peer in peers]
        return StudentTaskComparisonView(
            student_id=query.student_id,
            course_id=query.course_id,
            student_average=own,
            other_students=others,
            warning=None
            if own is not None
            else f"student {query.student_id} has no graded tasks in course {query.course_id}",
        )
