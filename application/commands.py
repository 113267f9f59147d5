"""Write-side inputs, typed and already held to the domain's rules by whoever made them (the HTTP
request models, the importer)."""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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


def fingerprint(command: SubmitGrade) -> str:
    """What a grade says, as a short digest: equal for two submissions of the same grade (7.5
    and 7.50, one moment in two offsets), different whenever any of its values differ. The
    event id is left out: it is the key the fingerprint is kept under."""
    graded_at = command.graded_at.astimezone(UTC).isoformat() if command.graded_at else ""
    task_id = command.task_id if isinstance(command, SubmitTaskGrade) else ""
    kind = "task" if isinstance(command, SubmitTaskGrade) else "course"
    grade = format(command.grade.normalize(), "f")
    text = "\x1f".join(
        (kind, str(command.student_id), command.course_id, task_id, grade,
         "1" if command.on_time else "0", graded_at)
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class EraseStudent:
    student_id: StudentId
    event_id: uuid.UUID | None = None  # a retried request keeps its id


@dataclass(frozen=True, slots=True)
class RecordGrades:
    """Record queued events in the store (the worker's side of a submission). With
    `all_or_none`, an event reusing another grade's id refuses them all (ReusedEventId)."""

    events: Sequence[GradeEvent]
    all_or_none: bool = False
