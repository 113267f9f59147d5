"""A course's students with their standing: the shared core of the analytics use cases.

A student's average is their task average rounded to 2 decimals (see application.analytics_queries);
ranks and percentiles are over every student of the course with such an average.
"""

from dataclasses import dataclass
from decimal import Decimal

from application.ports import StudentInCourse
from domain.distribution import competition_ranks, percentiles_below


@dataclass(frozen=True, slots=True)
class Standing:
    student: StudentInCourse
    average: Decimal | None
    on_time_percentage: Decimal | None
    rank: int | None
    percentile: Decimal | None


def standings(students: list[StudentInCourse]) -> list[Standing]:
    """Each student's standing among all of `students`, in the same order."""
    averages = [s.task_grades.average for s in students]
    ranked = [a for a in averages if a is not None]
    ranks = iter(competition_ranks(ranked))
    percentiles = iter(percentiles_below(ranked))
    result = []
    for student, average in zip(students, averages, strict=True):
        has_average = average is not None
        result.append(
            Standing(
                student=student,
                average=average,
                on_time_percentage=student.task_grades.on_time_percentage,
                rank=next(ranks) if has_average else None,
                percentile=next(percentiles) if has_average else None,
            )
        )
    return result
