"""The write side over an InMemoryDatabase, staged in a transaction until commit."""

import uuid
from collections.abc import Container, Sequence
from datetime import datetime

from adapters.memory.database import InMemoryDatabase, Slot
from domain.events import (
    CourseGraded,
    GradeEvent,
    StudentErased,
    TaskGraded,
    erased_by,
    says_the_same,
    supersedes,
)
from domain.values import CourseId, StudentId


class InMemoryGradeStore:
    """Writes go to a private overlay; `commit` merges it, re-checking every rule against what
    other transactions committed meanwhile, as the database's constraints would."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database
        self._course_grades: dict[uuid.UUID, CourseGraded] = {}
        self._task_events: dict[uuid.UUID, TaskGraded] = {}
        self._current: dict[Slot, TaskGraded] = {}
        self._erasures: list[StudentErased] = []

    async def record(self, events: Sequence[GradeEvent]) -> int:
        changed = 0
        for event in events:
            if isinstance(event, CourseGraded):
                changed += self._add_course_grade(event)
            elif isinstance(event, TaskGraded):
                changed += self._apply_task_grade(event)
            else:
                changed += self._erase(event)
        return changed

    async def reused_ids(self, grades: Sequence[CourseGraded | TaskGraded]) -> set[uuid.UUID]:
        reused = set()
        for grade in grades:
            stored: CourseGraded | TaskGraded | None = (
                self._task_events.get(grade.event_id) or self._db.task_events.get(grade.event_id)
                if isinstance(grade, TaskGraded)
                else self._course_grades.get(grade.event_id)
                or self._db.course_grades.get(grade.event_id)
            )
            if stored is not None and not says_the_same(stored, grade):
                reused.add(grade.event_id)
        return reused

    def _erased_up_to(self, student_id: StudentId) -> datetime | None:
        moments = [e.accepted_at for e in self._erasures if e.student_id == student_id]
        if student_id in self._db.erased_up_to:
            moments.append(self._db.erased_up_to[student_id])
        return max(moments, default=None)

    def _is_new_and_kept(
        self,
        event: CourseGraded | TaskGraded,
        staged: Container[uuid.UUID],
        committed: Container[uuid.UUID],
    ) -> bool:
        """Neither a redelivery (its id recorded before) nor erased on arrival."""
        if event.event_id in staged or event.event_id in committed:
            return False
        return not erased_by(event, self._erased_up_to(event.student_id))

    def _add_course_grade(self, event: CourseGraded) -> bool:
        if not self._is_new_and_kept(event, self._course_grades, self._db.course_grades):
            return False
        self._course_grades[event.event_id] = event
        return True

    def _apply_task_grade(self, event: TaskGraded) -> bool:
        if not self._is_new_and_kept(event, self._task_events, self._db.task_events):
            return False
        self._task_events[event.event_id] = event
        if not supersedes(event, self._current_of(event.slot)):
            return False
        self._current[event.slot] = event
        return True

    def _current_of(self, slot: Slot) -> TaskGraded | None:
        """The slot's current grade as this transaction sees it."""
        if slot in self._current:
            return self._current[slot]
        committed = self._db.current_task_grades.get(slot)
        erased_up_to = self._erased_up_to(slot[0])
        if committed is None or not erased_by(committed, erased_up_to):
            return committed
        # erased here: what the slot falls back to among grades accepted after the erasure
        survivors = [
            e
            for e in self._db.task_events.values()
            if e.slot == slot and not erased_by(e, erased_up_to)
        ]
        return max(survivors, key=lambda e: e.recency, default=None)

    def _erase(self, erasure: StudentErased) -> int:
        """Count what the erasure removes, from the overlay and from what is committed."""
        up_to = erasure.accepted_at
        already = max(
            (e.accepted_at for e in self._erasures if e.student_id == erasure.student_id),
            default=None,
        )

        def covered(e: CourseGraded | TaskGraded) -> bool:
            """Removed by this erasure and not by an earlier one of this transaction."""
            return (
                e.student_id == erasure.student_id
                and e.accepted_at <= up_to
                and not erased_by(e, already)
            )

        removed = 0
        for table in (self._course_grades, self._task_events):
            gone = [k for k, e in table.items() if covered(e)]
            for key in gone:
                del table[key]
            removed += len(gone)
        for slot in [s for s, e in self._current.items() if covered(e)]:
            del self._current[slot]
        removed += sum(1 for e in self._db.course_grades.values() if covered(e))
        removed += sum(1 for e in self._db.task_events.values() if covered(e))
        self._erasures.append(erasure)
        return removed

    def commit(self) -> None:
        db = self._db
        courses, students = self._touched()
        for erasure in self._erasures:
            db.erase(erasure.student_id, erasure.accepted_at)
        for event_id, course_grade in self._course_grades.items():
            if not erased_by(course_grade, db.erased_up_to.get(course_grade.student_id)):
                db.course_grades.setdefault(event_id, course_grade)
        for event_id, task_grade in self._task_events.items():
            if erased_by(task_grade, db.erased_up_to.get(task_grade.student_id)):
                continue
            db.task_events.setdefault(event_id, task_grade)
            if supersedes(task_grade, db.current_task_grades.get(task_grade.slot)):
                db.current_task_grades[task_grade.slot] = task_grade
        self.rollback()
        db.changes.publish_changed(courses, students)

    def _touched(self) -> tuple[set[CourseId], set[StudentId]]:
        """Every course and student whose statistics committing may change (with the courses of
        erased students' grades, read before they go)."""
        grades = [*self._course_grades.values(), *self._task_events.values()]
        courses = {e.course_id for e in grades}
        students = {e.student_id for e in grades}
        for erasure in self._erasures:
            students.add(erasure.student_id)
            courses |= self._db.courses_of(erasure.student_id)
        return courses, students

    def rollback(self) -> None:
        self._course_grades.clear()
        self._task_events.clear()
        self._current.clear()
        self._erasures.clear()
