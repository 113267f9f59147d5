from application.figures import best_first
from application.ports import Pseudonyms, StatsReader
from application.queries import GetStudentTaskComparison
from application.views import PeerAverage, StudentTaskComparisonView
from domain.statistics import as_number


class GetStudentTaskComparisonHandler:
    def __init__(self, reader: StatsReader, pseudonyms: Pseudonyms) -> None:
        self._reader = reader
        self._pseudonyms = pseudonyms

    async def __call__(self, query: GetStudentTaskComparison) -> StudentTaskComparisonView:
        tallies = await self._reader.task_tallies_by_student(query.course_id)
        own = next((t.tally for t in tallies if t.student_id == query.student_id), None)
        others = best_first([t for t in tallies if t.student_id != query.student_id])
        return StudentTaskComparisonView(
            student_id=query.student_id,
            course_id=query.course_id,
            student_average=as_number(own.average) if own else None,
            other_students=[
                PeerAverage(
                    self._pseudonyms.alias(query.course_id, peer.student_id),
                    peer.average_grade,
                    peer.grade_count,
                )
                for peer in others
            ]
            if query.anonymize_peers
            else others,
            warning=None
            if own
            else f"student {query.student_id} has no graded tasks in course {query.course_id}",
        )
