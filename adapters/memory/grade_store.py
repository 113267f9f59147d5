"""The write side over an InMemoryDatabase, staged in a transaction until commit."""

import uuid
from collections.abc import Sequence

from adapters.memory.database import InMemoryDatabase, Slot
from domain.events import CourseGraded, GradeEvent, TaskGraded, supersedes


class InMemoryGradeStore:
    """Writes go to a private overlay; `commit` merges it, re-checking every rule against what
    other transactions committed meanwhile, as the database's constraints would."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database
        self._course_grades: dict[uuid.UUID, CourseGraded] = {}
        self._task_events: dict[uuid.UUID, TaskGraded] = {}
        self._current: dict[Slot, TaskGraded] = {}

    async def record(self, events: Sequence[GradeEvent]) -> int:
        changed = 0
        for event in events:
            if isinstance(event, CourseGraded):
                changed += self._add_course_grade(event)
            else:
                changed += self._apply_task_grade(event)
        return changed

    def _add_course_grade(self, event: CourseGraded) -> bool:
        if event.event_id in self._course_grades or event.event_id in self._db.course_grades:
            return False
        self._course_grades[event.event_id] = event
        return True

    def _apply_task_grade(self, event: TaskGraded) -> bool:
        if event.event_id in self._task_events or event.event_id in self._db.task_events:
            return False
        self._task_events[event.event_id] = event
        current = self._current.get(event.slot) or self._db.current_task_grades.get(event.slot)
        if not supersedes(event, current):
            return False
        self._current[event.slot] = event
        return True

    def commit(self) -> None:
        db = self._db
        for event_id, course_grade in self._course_grades.items():
            db.course_grades.setdefault(event_id, course_grade)
        for event_id, task_grade in self._task_events.items():
            db.task_events.setdefault(event_id, task_grade)
        for slot, task_grade in self._current.items():
            if supersedes(task_grade, db.current_task_grades.get(slot)):
                db.current_task_grades[slot] = task_grade
        self.rollback()

    def rollback(self) -> None:
        self._course_grades.clear()
        self._task_events.clear()
        self._current.clear()
