"""Students who are falling behind: a low task average, a low on-time rate, or a decline over
their last three graded tasks (by graded_at; ties broken by task id). Lowest average first."""

from collections import defaultdict
from datetime import UTC
from decimal import Decimal

from application.analytics_queries import (
    DECLINING_RUN,
    AtRiskStudent,
    AtRiskView,
    GetAtRiskStudents,
    RecentGrade,
    RiskReason,
)
from application.handlers.standings import standings
from application.ports import AnalyticsReader, CurrentTaskGrade
from domain.distribution import is_declining
from domain.statistics import as_number
from domain.values import StudentId


class FindAtRiskStudentsHandler:
    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetAtRiskStudents) -> AtRiskView:
        students = await self._reader.students(query.course_id)
        recent: dict[StudentId, list[CurrentTaskGrade]] = defaultdict(list)
        for grade in await self._reader.recent_task_grades(query.course_id, DECLINING_RUN):
            recent[grade.student_id].append(grade)
        flagged: list[tuple[Decimal, int, AtRiskStudent]] = []
        for standing in standings(students):
            if standing.average is None:
                continue  # no task grade: nothing to judge
            student_id = standing.student.student_id
            last = recent[student_id]
            reasons: list[RiskReason] = []
            if standing.average < query.grade_below:
                reasons.append(RiskReason.LOW_AVERAGE)
            on_time = standing.on_time_percentage
            if on_time is not None and on_time < query.on_time_below:
                reasons.append(RiskReason.LOW_ON_TIME)
            if query.declining and is_declining([g.grade for g in last], DECLINING_RUN):
                reasons.append(RiskReason.DECLINING)
            if reasons:
                entry = AtRiskStudent(
                    student_id=student_id,
                    reasons=reasons,
                    average_grade=as_number(standing.average),
                    on_time_percentage=as_number(on_time),
                    assignments_completed=standing.student.task_grades.count,
                    recent_grades=[
                        RecentGrade(g.task_id, float(g.grade), g.graded_at.astimezone(UTC))
                        for g in last
                    ],
                )
                flagged.append((standing.average, student_id.int, entry))
        flagged.sort(key=lambda item: item[:2])
        return AtRiskView(
            course_id=query.course_id,
            grade_below=float(query.grade_below),
            on_time_below=float(query.on_time_below),
            declining=query.declining,
            students=[entry for _, _, entry in flagged],
        )
