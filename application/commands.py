"""Write-side inputs. Values arrive typed from the edge but not yet checked against domain rules."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.events import GradeEvent


@dataclass(frozen=True, slots=True)
class SubmitCourseGrade:
    student_id: str
    course_id: str
    grade: float
    on_time: bool = True
    graded_at: datetime | None = None
    event_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class SubmitTaskGrade:
    student_id: str
    course_id: str
    task_id: str
    grade: float
    on_time: bool = True
    graded_at: datetime | None = None
    event_id: uuid.UUID | None = None


SubmitGrade = SubmitCourseGrade | SubmitTaskGrade


@dataclass(frozen=True, slots=True)
class RecordGrades:
    """Record queued events in the store (the worker's side of a submission)."""

    events: Sequence[GradeEvent]
