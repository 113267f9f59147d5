"""Grade events: the facts the platform tells us about. Everything else derives from them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.values import CourseId, StudentId, TaskId


@dataclass(frozen=True, slots=True)
class CourseGraded:
    """A course-level grade. Append-only: every accepted event counts."""

    event_id: uuid.UUID
    student_id: StudentId
    course_id: CourseId
    grade: Decimal
    on_time: bool
    graded_at: datetime
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class TaskGraded:
    """A task grade. A student has one current grade per (course, task): see `supersedes`."""

    event_id: uuid.UUID
    student_id: StudentId
    course_id: CourseId
    task_id: TaskId
    grade: Decimal
    on_time: bool
    graded_at: datetime
    accepted_at: datetime

    @property
    def slot(self) -> tuple[StudentId, CourseId, TaskId]:
        """The (student, course, task) this grade occupies."""
        return (self.student_id, self.course_id, self.task_id)

    @property
    def recency(self) -> tuple[datetime, datetime, uuid.UUID]:
        """Order of precedence: latest graded_at, then latest accepted, then event id."""
        return (self.graded_at, self.accepted_at, self.event_id)


@dataclass(frozen=True, slots=True)
class StudentErased:
    """A request to forget a student (the right to erasure). Every grade of the student accepted
    up to `accepted_at` is removed from every statistic, and such a grade arriving later (a
    retry, a redelivery) is ignored. Grades accepted afterwards count as usual."""

    event_id: uuid.UUID
    student_id: StudentId
    accepted_at: datetime


GradeEvent = CourseGraded | TaskGraded | StudentErased


def says_the_same(a: CourseGraded | TaskGraded, b: CourseGraded | TaskGraded) -> bool:
    """Whether two grades say the same (their kind, student, course, task, grade, on-time flag
    and moment), whenever each was accepted: a redelivery does, a reused event id does not."""
    return type(a) is type(b) and _what_it_says(a) == _what_it_says(b)


def _what_it_says(event: CourseGraded | TaskGraded) -> tuple[object, ...]:
    task_id = event.task_id if isinstance(event, TaskGraded) else None
    return (event.student_id, event.course_id, task_id, event.grade, event.on_time,
            event.graded_at)


def erased_by(event: CourseGraded | TaskGraded, erased_up_to: datetime | None) -> bool:
    """True when an erasure of the event's student, effective up to `erased_up_to`, covers it."""
    return erased_up_to is not None and event.accepted_at <= erased_up_to


def supersedes(new: TaskGraded, current: TaskGraded | None) -> bool:
    """True when `new` should replace `current` as the slot's grade.

    A late event that is older than the current grade never overwrites it, so the result does not
    depend on the order in which events arrive.
    """
    return current is None or new.recency > current.recency
