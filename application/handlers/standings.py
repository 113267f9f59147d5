"""A course's students with their standing: the shared core of the analytics use cases.

A student's average is their task average rounded to 2 decimals (see application.analytics_queries),
kept here as whole cents; ranks and percentiles are over every student of the course with such an
average. Figures are shown as `cents / 100`: int / int is correctly rounded, so it is the same float
as the 2-decimal Decimal's (`domain.statistics.as_number`).
"""

from collections.abc import Sequence

from application.analytics_queries import StudentStanding
from application.ports import StudentInCourse
from domain.distribution import rank_among, share_below
from domain.statistics import average_cents, average_number, percentage_number


def task_averages(students: Sequence[StudentInCourse]) -> list[int | None]:
    """Each student's task average in cents, or None without a current task grade."""
    return [
        average_cents(s.task_total, s.task_count) if s.task_count else None for s in students
    ]


def shown(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def standing(student: StudentInCourse, average: int | None, ranked: Sequence[int]) -> StudentStanding:
    """The student's standing among the ascending task averages `ranked` (which hold theirs)."""
    count = student.task_count
    return StudentStanding(
        student_id=student.student_id,
        average_grade=shown(average),
        course_grade_average=average_number(student.course_total, student.course_count),
        assignments_completed=count,
        on_time_percentage=percentage_number(student.task_on_time, count),
        rank=None if average is None else rank_among(ranked, average),
        percentile=None if average is None else shown(share_below(ranked, average)),
    )
