"""The analytics read side computed from the in-memory database's committed state."""

from collections import defaultdict
from collections.abc import AsyncIterator

from adapters.memory.database import InMemoryDatabase
from application.ports import CurrentTaskGrade, StudentInCourse
from domain.events import TaskGraded
from domain.statistics import Tally
from domain.values import CourseId, StudentId, TaskId


class InMemoryAnalyticsReader:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    def _current(self, course_id: CourseId) -> list[TaskGraded]:
        return [g for g in self._db.current_task_grades.values() if g.course_id == course_id]

    async def task_grades(self, course_id: CourseId) -> list[CurrentTaskGrade]:
        grades = sorted(self._current(course_id), key=lambda g: (g.task_id, g.student_id))
        return [_grade(g) for g in grades]

    async def students(self, course_id: CourseId) -> list[StudentInCourse]:
        course: dict[StudentId, Tally] = defaultdict(Tally)
        tasks: dict[StudentId, Tally] = defaultdict(Tally)
        for c in self._db.course_grades.values():
            if c.course_id == course_id:
                course[c.student_id] = course[c.student_id].add(c.grade, c.on_time)
        for t in self._current(course_id):
            tasks[t.student_id] = tasks[t.student_id].add(t.grade, t.on_time)
        return [
            StudentInCourse(s, course.get(s, Tally()), tasks.get(s, Tally()))
            for s in sorted(course.keys() | tasks.keys())
        ]

    async def recent_task_grades(
        self, course_id: CourseId, per_student: int
    ) -> list[CurrentTaskGrade]:
        by_student: dict[StudentId, list[TaskGraded]] = defaultdict(list)
        for g in self._current(course_id):
            by_student[g.student_id].append(g)
        recent: list[CurrentTaskGrade] = []
        for student_id in sorted(by_student):
            ordered = sorted(by_student[student_id], key=lambda g: (g.graded_at, g.task_id))
            recent.extend(_grade(g) for g in ordered[-per_student:] if per_student > 0)
        return recent

    async def courses_of(self, student_id: StudentId) -> list[CourseId]:
        courses = {g.course_id for g in self._db.course_grades.values() if g.student_id == student_id}
        courses |= {
            g.course_id for g in self._db.current_task_grades.values() if g.student_id == student_id
        }
        return sorted(courses)

    async def task_ids(self, course_id: CourseId) -> list[TaskId]:
        return sorted({g.task_id for g in self._current(course_id)})

    async def grades_by_student(
        self, course_id: CourseId, page_size: int = 1000
    ) -> AsyncIterator[list[CurrentTaskGrade]]:
        grades = sorted(self._current(course_id), key=lambda g: (g.student_id, g.task_id))
        for start in range(0, len(grades), page_size):
            yield [_grade(g) for g in grades[start : start + page_size]]


def _grade(g: TaskGraded) -> CurrentTaskGrade:
    return CurrentTaskGrade(g.student_id, g.task_id, g.grade, g.on_time, g.graded_at)
