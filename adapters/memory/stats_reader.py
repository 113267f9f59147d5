"""The read side computed from the in-memory database's committed events."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from adapters.memory.database import InMemoryDatabase
from application.ports import (
    CourseGradeSeries,
    GradeScope,
    OnTimeSeries,
    PeriodTally,
    RankedAverages,
    StudentCourseTallies,
    StudentTally,
)
from domain.events import CourseGraded, TaskGraded
from domain.periods import GroupBy, bucket_start
from domain.statistics import Tally, average_cents
from domain.values import CourseId, StudentId, TaskId


class InMemoryStatsReader:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def student_course(
        self, student_id: StudentId, course_id: CourseId
    ) -> StudentCourseTallies:
        courses = _tally(
            g
            for g in self._db.course_grades.values()
            if g.student_id == student_id and g.course_id == course_id
        )
        tasks = _tally(
            g
            for g in self._db.current_task_grades.values()
            if g.student_id == student_id and g.course_id == course_id
        )
        return StudentCourseTallies(course_grades=courses, task_grades=tasks)

    async def course_grade_series(self, scope: GradeScope) -> CourseGradeSeries:
        grades = [
            g
            for g in self._db.course_grades.values()
            if scope.student_id in (None, g.student_id)
            and scope.course_id in (None, g.course_id)
            and scope.window.contains(g.graded_at)
        ]
        return CourseGradeSeries(
            overall=_tally(grades),
            students=len({g.student_id for g in grades}),
            periods=_bucket(grades, scope.group_by),
        )

    async def task_tallies_by_student(self, course_id: CourseId) -> list[StudentTally]:
        by_student: dict[StudentId, Tally] = defaultdict(Tally)
        for g in self._db.current_task_grades.values():
            if g.course_id == course_id:
                by_student[g.student_id] = by_student[g.student_id].add(g.grade, g.on_time)
        return [StudentTally(s, t) for s, t in by_student.items()]

    async def task_tallies_for_task(
        self, course_id: CourseId, task_id: TaskId
    ) -> list[StudentTally]:
        return [
            StudentTally(g.student_id, Tally().add(g.grade, g.on_time))
            for g in self._db.current_task_grades.values()
            if g.course_id == course_id and g.task_id == task_id
        ]

    async def ranked_task_averages(self, course_id: CourseId) -> RankedAverages:
        return _ranked(await self.task_tallies_by_student(course_id))

    async def ranked_task_grades(self, course_id: CourseId, task_id: TaskId) -> RankedAverages:
        tallies = await self.task_tallies_for_task(course_id, task_id)
        overall = Tally.of_all(t.tally for t in tallies)
        return _ranked(
            tallies, average_cents(overall.total, overall.count) if overall.count else None
        )

    async def on_time_series(self, scope: GradeScope) -> OnTimeSeries:
        grades = [
            g
            for g in self._db.current_task_grades.values()
            if g.course_id == scope.course_id
            and scope.student_id in (None, g.student_id)
            and scope.window.contains(g.graded_at)
        ]
        return _bucket(grades, scope.group_by)


def _ranked(tallies: list[StudentTally], overall_cents: int | None = None) -> RankedAverages:
    ranked = sorted(
        (-average_cents(t.tally.total, t.tally.count), t.student_id, t.tally.count)
        for t in tallies
    )
    return RankedAverages(
        student_ids=[student_id for _, student_id, _ in ranked],
        cents=[-negated for negated, _, _ in ranked],
        counts=[count for _, _, count in ranked],
        overall_cents=overall_cents,
    )


def _tally(grades: Iterable[CourseGraded | TaskGraded]) -> Tally:
    tally = Tally()
    for g in grades:
        tally = tally.add(g.grade, g.on_time)
    return tally


def _bucket(grades: list[CourseGraded] | list[TaskGraded], group_by: GroupBy | None) -> list[PeriodTally]:
    buckets: dict[datetime | None, Tally] = defaultdict(Tally)
    for g in grades:
        start = bucket_start(g.graded_at, group_by) if group_by else None
        buckets[start] = buckets[start].add(g.grade, g.on_time)
    return [PeriodTally(start, buckets[start]) for start in sorted(buckets, key=_period_key)]


def _period_key(start: datetime | None) -> datetime:
    return start or datetime.min
