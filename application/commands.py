"""Write-side inputs, typed and already held to the domain's rules by whoever made them (the HTTP
request models, the importer)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.events import GradeEvent
from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class SubmitCourseGrade:
    student_id: StudentId
    course_id: CourseId
    grade: Decimal
    on_time: bool = True
    graded_at: datetime | None = None  # None: when it is accepted
    event_id: uuid.UUID | None = None  # None: a new one


@dataclass(frozen=True, slots=True)
class SubmitTaskGrade:
    student_id: StudentId
    course_id: CourseId
    task_id: TaskId
    grade: Decimal
    on_time: bool = True
    graded_at: datetime | None = None
    event_id: uuid.UUID | None = None


SubmitGrade = SubmitCourseGrade | SubmitTaskGrade


@dataclass(frozen=True, slots=True)
class EraseStudent:
    student_id: StudentId
    event_id: uuid.UUID | None = None  # a retried request keeps its id


@dataclass(frozen=True, slots=True)
class RecordGrades:
    """Record queued events in the store (the worker's side of a submission)."""

    events: Sequence[GradeEvent]
