"""The analytics read side computed from the in-memory database's committed state."""

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

from adapters.memory.database import InMemoryDatabase
from application.ports import CurrentTaskGrade, StudentInCourse
from application.ports.analytics_reader import (
    RECENT_GRADES_KEPT,
    AverageCounts,
    CourseStandings,
    RecentTaskGrade,
    RiskBounds,
    RoundedAverage,
    StudentAtRisk,
    StudentCourseFacts,
    TaskSpreadFacts,
)
from domain.distribution import SpreadFacts, is_declining
from domain.events import TaskGraded
from domain.statistics import Tally, average_cents
from domain.values import CourseId, StudentId, TaskId


class InMemoryAnalyticsReader:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    def _current(self, course_id: CourseId) -> list[TaskGraded]:
        return [g for g in self._db.current_task_grades.values() if g.course_id == course_id]

    def _by_student(self, course_id: CourseId) -> dict[StudentId, list[TaskGraded]]:
        by_student: dict[StudentId, list[TaskGraded]] = defaultdict(list)
        for g in self._current(course_id):
            by_student[g.student_id].append(g)
        return by_student

    async def task_spreads(self, course_id: CourseId) -> list[TaskSpreadFacts]:
        by_task: dict[TaskId, list[TaskGraded]] = defaultdict(list)
        for g in self._current(course_id):
            by_task[g.task_id].append(g)
        return [
            TaskSpreadFacts(
                task_id,
                sum(1 for g in by_task[task_id] if g.on_time),
                SpreadFacts.of([g.grade for g in by_task[task_id]]),
            )
            for task_id in sorted(by_task)
        ]

    def _students(self, course_id: CourseId) -> dict[StudentId, StudentInCourse]:
        course: dict[StudentId, Tally] = defaultdict(Tally)
        tasks: dict[StudentId, Tally] = defaultdict(Tally)
        for c in self._db.course_grades.values():
            if c.course_id == course_id:
                course[c.student_id] = course[c.student_id].add(c.grade, c.on_time)
        for t in self._current(course_id):
            tasks[t.student_id] = tasks[t.student_id].add(t.grade, t.on_time)
        students = {}
        for s in sorted(course.keys() | tasks.keys()):
            of_course, of_tasks = course.get(s, Tally()), tasks.get(s, Tally())
            students[s] = StudentInCourse(
                s, of_course.count, of_course.total, of_tasks.count, of_tasks.total,
                of_tasks.on_time,
            )
        return students

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        return list(self._students(course_id).values())

    async def course_standings(self, course_id: CourseId) -> CourseStandings:
        students = list(self._students(course_id).values())
        return CourseStandings(
            student_ids=[s.student_id for s in students],
            course_average_cents=[
                average_cents(s.course_total, s.course_count) if s.course_count else None
                for s in students
            ],
            task_average_cents=[
                average_cents(s.task_total, s.task_count) if s.task_count else None
                for s in students
            ],
            task_counts=[s.task_count for s in students],
            task_on_times=[s.task_on_time for s in students],
        )

    async def task_totals(self, course_id: CourseId) -> list[tuple[int, Decimal]]:
        return [
            (s.task_count, s.task_total)
            for s in self._students(course_id).values()
            if s.task_count > 0
        ]

    async def students_at_risk(
        self, course_id: CourseId, bounds: RiskBounds, recent: int
    ) -> list[StudentAtRisk]:
        if recent > RECENT_GRADES_KEPT or (bounds.declining_run or 0) > RECENT_GRADES_KEPT:
            raise ValueError(f"at most the {RECENT_GRADES_KEPT} latest grades are kept")
        by_student = self._by_student(course_id)
        kept = []
        for student_id in sorted(by_student):
            grades = by_student[student_id]
            tally = Tally()
            for g in grades:
                tally = tally.add(g.grade, g.on_time)
            ordered = sorted(grades, key=lambda g: (g.graded_at, g.task_id))
            run = bounds.declining_run
            if (
                _below(tally.total, tally.count, bounds.average_below)
                or _below(Decimal(tally.on_time * 100), tally.count, bounds.on_time_below)
                or (run is not None and is_declining([g.grade for g in ordered], run))
            ):
                kept.append(StudentAtRisk(
                    student_id, tally.count, tally.total, tally.on_time,
                    [RecentTaskGrade(g.task_id, g.grade, g.graded_at) for g in ordered[-recent:]],
                ))
        return kept

    async def recent_task_grades(
        self, course_id: CourseId, student_ids: Sequence[StudentId], last: int | None
    ) -> dict[StudentId, list[RecentTaskGrade]]:
        by_student = self._by_student(course_id)
        recent = {}
        for student_id in student_ids:
            ordered = sorted(by_student.get(student_id, []), key=lambda g: (g.graded_at, g.task_id))
            if ordered:
                kept = ordered if last is None else ordered[-last:]
                recent[student_id] = [RecentTaskGrade(g.task_id, g.grade, g.graded_at) for g in kept]
        return recent

    async def student_courses(self, student_id: StudentId) -> list[tuple[CourseId, StudentInCourse]]:
        courses = {g.course_id for g in self._db.course_grades.values() if g.student_id == student_id}
        courses |= {
            g.course_id for g in self._db.current_task_grades.values() if g.student_id == student_id
        }
        return [(course, self._students(course)[student_id]) for course in sorted(courses)]

    async def student_course_facts(self, student_id: StudentId) -> list[StudentCourseFacts]:
        facts = []
        for course_id, student in await self.student_courses(student_id):
            standing = None
            if student.task_count:
                cents = average_cents(student.task_total, student.task_count)
                [standing] = await self.average_counts([RoundedAverage(course_id, cents)])
            graded = await self.recent_task_grades(course_id, [student_id], None)
            facts.append(
                StudentCourseFacts(course_id, student, standing, graded.get(student_id, []))
            )
        return facts

    async def average_counts(self, averages: Sequence[RoundedAverage]) -> list[AverageCounts]:
        counts = []
        for asked in averages:
            rounded = [
                average_cents(s.task_total, s.task_count)
                for s in self._students(asked.course_id).values()
                if s.task_count > 0
            ]
            counts.append(
                AverageCounts(
                    asked.course_id,
                    len(rounded),
                    sum(1 for cents in rounded if cents < asked.cents),
                    sum(1 for cents in rounded if cents > asked.cents),
                )
            )
        return counts

    async def task_ids(self, course_id: CourseId) -> list[TaskId]:
        return sorted({g.task_id for g in self._current(course_id)})

    async def grades_by_student(
        self, course_id: CourseId, page_size: int = 1000
    ) -> AsyncIterator[list[CurrentTaskGrade]]:
        grades = sorted(self._current(course_id), key=lambda g: (g.student_id, g.task_id))
        for start in range(0, len(grades), page_size):
            yield [_grade(g) for g in grades[start : start + page_size]]


def _below(total: Decimal, count: int, bound: Decimal) -> bool:
    """total / count < bound, exactly (a Decimal product would be rounded to 28 digits)."""
    n, d = total.as_integer_ratio()
    m, e = bound.as_integer_ratio()
    return n * e < m * d * count


def _grade(g: TaskGraded) -> CurrentTaskGrade:
    return CurrentTaskGrade(g.student_id, g.task_id, g.grade, g.on_time, g.graded_at)
