"""The in-memory database: committed state shared by the store, the reader and the unit of work."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from adapters.change_fanout import ChangeFanOut
from domain.events import CourseGraded, TaskGraded
from domain.values import CourseId, StudentId, TaskId

Slot = tuple[StudentId, CourseId, TaskId]


@dataclass
class InMemoryDatabase:
    course_grades: dict[uuid.UUID, CourseGraded] = field(default_factory=dict)
    task_events: dict[uuid.UUID, TaskGraded] = field(default_factory=dict)
    current_task_grades: dict[Slot, TaskGraded] = field(default_factory=dict)
    erased_up_to: dict[StudentId, datetime] = field(default_factory=dict)  # tombstones
    # What each commit changed, as PostgreSQL's notifications tell it (the ChangeFeed port).
    changes: ChangeFanOut = field(default_factory=ChangeFanOut)

    def courses_of(self, student_id: StudentId) -> set[CourseId]:
        """The courses in which the student has any grade recorded."""
        tables = (self.course_grades.values(), self.task_events.values())
        return {e.course_id for table in tables for e in table if e.student_id == student_id}

    def erase(self, student_id: StudentId, up_to: datetime) -> int:
        """Remove the student's grades accepted up to `up_to`; returns how many events went."""
        self.erased_up_to[student_id] = max(up_to, self.erased_up_to.get(student_id, up_to))
        removed = 0
        for table in (self.course_grades, self.task_events):
            gone = [
                k for k, e in table.items() if e.student_id == student_id and e.accepted_at <= up_to
            ]
            for key in gone:
                del table[key]
            removed += len(gone)
        affected = [
            slot
            for slot, e in self.current_task_grades.items()
            if e.student_id == student_id and e.accepted_at <= up_to
        ]
        for slot in affected:
            # a grade of the slot accepted after the erasure may have been recorded before it
            survivors = [e for e in self.task_events.values() if e.slot == slot]
            if survivors:
                self.current_task_grades[slot] = max(survivors, key=lambda e: e.recency)
            else:
                del self.current_task_grades[slot]
        return removed
