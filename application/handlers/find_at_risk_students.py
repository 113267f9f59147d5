"""Students who are falling behind: a low task average, a low on-time rate, or a decline over
their last three graded tasks (by graded_at; ties broken by task id). Lowest average first.

Averages and percentages are shown rounded to whole cents, and a rounded figure is below a
threshold exactly when the exact one is below the rounding interval of the threshold's cents
ceiling: the reader is asked for the students past those exact bounds (so a database can search),
and each one's reasons are then worked out from their rounded figures."""


from application.figures import TREND_RUN, recent_grades
from application.ports import AnalyticsReader
from application.ports.analytics_reader import RiskBounds, StudentAtRisk
from application.queries import FindAtRiskStudents
from application.views import AtRiskStudent, AtRiskView, RiskReason
from domain.distribution import cents_ceiling, is_declining, rounding_interval
from domain.statistics import average_cents, percentage_cents

DECLINING_RUN = TREND_RUN


class FindAtRiskStudentsHandler:
    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: FindAtRiskStudents) -> AtRiskView:
        # A figure in whole cents is below a threshold when it is below the threshold's ceiling c,
        # that is when the exact value is below the lower end of c's rounding interval.
        grade_below = cents_ceiling(query.grade_below)
        on_time_below = cents_ceiling(query.on_time_below)
        bounds = RiskBounds(
            average_below=rounding_interval(grade_below)[0],
            on_time_below=rounding_interval(on_time_below)[0],
            declining_run=DECLINING_RUN if query.declining else None,
        )
        flagged: list[tuple[int, int, AtRiskStudent]] = []
        for student in await self._reader.students_at_risk(query.course_id, bounds, DECLINING_RUN):
            average = average_cents(student.task_total, student.task_count)
            on_time = percentage_cents(student.task_on_time, student.task_count)
            reasons: list[RiskReason] = []
            if average < grade_below:
                reasons.append(RiskReason.LOW_AVERAGE)
            if on_time < on_time_below:
                reasons.append(RiskReason.LOW_ON_TIME)
            if query.declining and is_declining([g.grade for g in student.recent], DECLINING_RUN):
                reasons.append(RiskReason.DECLINING)
            if reasons:  # always, when the reader kept exactly the students the bounds name
                flagged.append((average, student.student_id.int, _entry(student, reasons,
                                                                         average, on_time)))
        flagged.sort(key=lambda entry: entry[:2])
        return AtRiskView(
            course_id=query.course_id,
            grade_below=float(query.grade_below),
            on_time_below=float(query.on_time_below),
            declining=query.declining,
            students=[entry for _, _, entry in flagged],
        )


def _entry(
    student: StudentAtRisk, reasons: list[RiskReason], average: int, on_time: int
) -> AtRiskStudent:
    return AtRiskStudent(
        student_id=student.student_id,
        reasons=reasons,
        average_grade=average / 100,  # int / int: the float of the 2-decimal value
        on_time_percentage=on_time / 100,
        assignments_completed=student.task_count,
        recent_grades=recent_grades(student.recent),
    )
