"""The in-memory database: committed state shared by the store, the reader and the unit of work."""

import uuid
from dataclasses import dataclass, field

from domain.events import CourseGraded, TaskGraded
from domain.values import CourseId, StudentId, TaskId

Slot = tuple[StudentId, CourseId, TaskId]


@dataclass
class InMemoryDatabase:
    course_grades: dict[uuid.UUID, CourseGraded] = field(default_factory=dict)
    task_events: dict[uuid.UUID, TaskGraded] = field(default_factory=dict)
    current_task_grades: dict[Slot, TaskGraded] = field(default_factory=dict)
