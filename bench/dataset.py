"""A deterministic, realistic dataset of grade events.

The shape at the default size: 2,000 courses of 20 tasks each, 100,000 students enrolled in about
four or five courses each, 10,000,000 task grades (about 10% of them regrades with a later
`graded_at`) and 1,000,000 course-level grades. A student has an ability that drives their grades
and a lateness that drives `on_time`. Some first grades arrive after their regrade (a late,
out-of-order delivery): they must not overwrite the newer grade.

Smaller sizes scale the number of courses and students with the number of task grades, so a course
looks the same (same enrolment, same tasks, same regrade rate) whatever the total. The events of
a course come from a random generator seeded by (seed, course), so any course, and the ids the
read benchmark needs, can be regenerated without generating the rest.
"""

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.events import CourseGraded, TaskGraded
from domain.values import CourseId, StudentId, TaskId

REGRADE_RATE = 0.10  # regrades per first grade
LATE_ARRIVAL_RATE = 0.03  # regrades whose original arrives after them
TERM_STARTS = datetime(2025, 1, 6, tzinfo=UTC)  # courses start within the half year after this
_TENTHS = tuple(Decimal(tenths).scaleb(-1) for tenths in range(101))  # 0.0 .. 10.0


@dataclass(frozen=True, slots=True)
class DatasetShape:
    courses: int
    students: int
    tasks_per_course: int
    task_grades: int
    course_grades: int
    seed: int = 1

    def __post_init__(self) -> None:
        if min(self.courses, self.students, self.tasks_per_course) < 1:
            raise ValueError("courses, students and tasks per course must be at least 1")
        if self.task_grades < 0 or self.course_grades < 0:
            raise ValueError("grade counts cannot be negative")

    @property
    def events(self) -> int:
        return self.task_grades + self.course_grades

    @property
    def students_per_course(self) -> int:
        """Enrolment of a course: enough students for its first grades, at most everyone."""
        return min(self.students, _enrolment(self.task_grades, self.courses, self.tasks_per_course))

    def describe(self) -> str:
        return (
            f"{self.task_grades:,} task grades + {self.course_grades:,} course grades; "
            f"{self.courses:,} courses x {self.tasks_per_course} tasks, {self.students:,} "
            f"students ({self.students_per_course:,} per course), seed {self.seed}"
        )


DEFAULT_SHAPE = DatasetShape(
    courses=2_000, students=100_000, tasks_per_course=20,
    task_grades=10_000_000, course_grades=1_000_000,
)


def scaled_shape(
    task_grades: int,
    *,
    course_grades: int | None = None,
    courses: int | None = None,
    students: int | None = None,
    tasks_per_course: int = DEFAULT_SHAPE.tasks_per_course,
    seed: int = 1,
) -> DatasetShape:
    """The default shape at `task_grades`: what is not given scales with it from the default."""
    factor = task_grades / DEFAULT_SHAPE.task_grades
    courses = courses or max(1, round(DEFAULT_SHAPE.courses * factor))
    if students is None:
        # Never fewer students than one course enrols, so every slot can be graded.
        students = max(
            round(DEFAULT_SHAPE.students * factor),
            _enrolment(task_grades, courses, tasks_per_course),
        )
    if course_grades is None:
        course_grades = round(DEFAULT_SHAPE.course_grades * factor)
    return DatasetShape(courses, students, tasks_per_course, task_grades, course_grades, seed)


def with_size(shape: DatasetShape, task_grades: int) -> DatasetShape:
    """`shape` at another number of task grades, everything else scaled in proportion."""
    if task_grades == shape.task_grades:
        return shape
    factor = task_grades / shape.task_grades
    courses = max(1, round(shape.courses * factor))
    return replace(
        shape,
        task_grades=task_grades,
        course_grades=round(shape.course_grades * factor),
        courses=courses,
        students=max(
            round(shape.students * factor),
            _enrolment(task_grades, courses, shape.tasks_per_course),
        ),
    )


def _enrolment(task_grades: int, courses: int, tasks_per_course: int) -> int:
    """Students a course needs for its share of first grades, one per (student, task)."""
    return max(1, math.ceil(task_grades / courses / (1 + REGRADE_RATE) / tasks_per_course))


@dataclass(frozen=True, slots=True)
class Students:
    ids: tuple[StudentId, ...]
    ability: tuple[float, ...]  # mean grade, 0-10
    lateness: tuple[float, ...]  # probability that a submission is late


@dataclass(frozen=True, slots=True)
class CoursePlan:
    index: int
    course_id: CourseId
    enrolled: tuple[int, ...]  # student indexes
    term_start: datetime
    task_grades: int
    course_grades: int


class Dataset:
    """The events of `shape`, course after course; the same for the same shape and seed."""

    def __init__(self, shape: DatasetShape) -> None:
        self.shape = shape
        self.task_ids = tuple(TaskId(f"task-{t + 1:02d}") for t in range(shape.tasks_per_course))
        self._students: Students | None = None

    @property
    def students(self) -> Students:
        if self._students is None:
            rng = random.Random(f"{self.shape.seed}:students")
            n = self.shape.students
            self._students = Students(
                ids=tuple(_uuid(rng) for _ in range(n)),
                ability=tuple(_clip(rng.gauss(6.8, 1.5), 1.0, 9.8) for _ in range(n)),
                lateness=tuple(rng.betavariate(1.2, 10.0) for _ in range(n)),
            )
        return self._students

    def course_id(self, index: int) -> CourseId:
        return CourseId(f"course-{index + 1:05d}")

    def plan(self, index: int, rng: random.Random | None = None) -> CoursePlan:
        """Who is enrolled in course `index`, when it starts and how many grades it gets."""
        shape = self.shape
        rng = rng or self._course_rng(index)
        enrolled = tuple(rng.sample(range(shape.students), shape.students_per_course))
        return CoursePlan(
            index=index,
            course_id=self.course_id(index),
            enrolled=enrolled,
            term_start=TERM_STARTS + timedelta(days=rng.randrange(180)),
            task_grades=_share(shape.task_grades, shape.courses, index),
            course_grades=_share(shape.course_grades, shape.courses, index),
        )

    def enrolments(self, per_course: int) -> Iterator[tuple[StudentId, CourseId]]:
        """Up to `per_course` (student, course) pairs of every course that has grades there."""
        ids = self.students.ids
        for index in range(self.shape.courses):
            plan = self.plan(index)
            graded = min(len(plan.enrolled), _first_grades(plan, len(self.task_ids)))
            for s in plan.enrolled[: min(per_course, graded)]:
                yield ids[s], plan.course_id

    def events(self, courses: range | None = None) -> Iterator[TaskGraded | CourseGraded]:
        """Every event, or those of the `courses` (indexes): a share of the dataset that a
        separate process can generate on its own."""
        for index in courses if courses is not None else range(self.shape.courses):
            yield from self.course_events(index)

    def course_events(self, index: int) -> Iterator[TaskGraded | CourseGraded]:
        rng = self._course_rng(index)
        plan = self.plan(index, rng)
        yield from self._task_events(plan, rng)
        yield from self._course_events(plan, rng)

    def _course_rng(self, index: int) -> random.Random:
        return random.Random(f"{self.shape.seed}:course:{index}")

    def _task_events(self, plan: CoursePlan, rng: random.Random) -> Iterator[TaskGraded]:
        students = self.students
        enrolled = plan.enrolled
        size = len(enrolled)
        tasks = self.task_ids
        firsts = _first_grades(plan, len(tasks))
        regrades = plan.task_grades - firsts
        difficulty = [rng.uniform(-1.0, 0.8) for _ in tasks]
        # Slot i: task i // size, student enrolled[i % size]; later tasks are graded for fewer
        # students when a course has fewer first grades than slots (a term in progress).
        slots: list[tuple[int, int, datetime, bool]] = []  # (student, task, graded_at, on_time)
        first_grades: list[int] = []
        dues = [plan.term_start + timedelta(days=7 * (t + 1)) for t in range(len(tasks))]
        lateness, ability, random_, gauss = students.lateness, students.ability, rng.random, rng.gauss
        for i in range(firsts):
            s, t = enrolled[i % size], i // size
            graded_at = dues[t] + timedelta(0, 3600 + int(random_() * 4 * 86400))
            slots.append((s, t, graded_at, random_() >= lateness[s]))
            first_grades.append(_tenths(gauss(ability[s] + difficulty[t], 1.1)))
        # Regrades: a later graded_at than the slot's latest grade, usually a better grade.
        latest: dict[int, tuple[datetime, int]] = {}
        regrade_rows: list[tuple[int, datetime, int]] = []  # (slot, graded_at, tenths)
        for _ in range(regrades):
            i = rng.randrange(firsts)
            before_at, before_grade = latest.get(i, (slots[i][2], first_grades[i]))
            graded_at = before_at + timedelta(0, rng.randrange(86400, 14 * 86400))
            grade = min(100, before_grade + rng.randrange(0, 21))
            latest[i] = (graded_at, grade)
            regrade_rows.append((i, graded_at, grade))
        # A few first grades are delivered after a regrade of their slot, accepted later.
        late = {
            row[0]: row[1] for row in regrade_rows if rng.random() < LATE_ARRIVAL_RATE
        }
        course_id, ids = plan.course_id, students.ids

        def event(i: int, graded_at: datetime, tenths: int, accepted_at: datetime) -> TaskGraded:
            s, t, _, on_time = slots[i]
            return TaskGraded(
                _uuid(rng), ids[s], course_id, tasks[t], _TENTHS[tenths], on_time, graded_at,
                accepted_at,
            )

        for i in range(firsts):
            if i not in late:
                graded_at = slots[i][2]
                yield event(i, graded_at, first_grades[i], _accepted(rng, graded_at))
        for i, graded_at, grade in regrade_rows:
            yield event(i, graded_at, grade, _accepted(rng, graded_at))
        for i, regraded_at in late.items():
            accepted_at = _accepted(rng, regraded_at) + timedelta(minutes=rng.randrange(1, 600))
            yield event(i, slots[i][2], first_grades[i], accepted_at)

    def _course_events(self, plan: CoursePlan, rng: random.Random) -> Iterator[CourseGraded]:
        students = self.students
        size = len(plan.enrolled)
        rounds = max(1, math.ceil(plan.course_grades / size))  # e.g. a midterm and a final
        term = timedelta(days=7 * (self.shape.tasks_per_course + 2))
        for j in range(plan.course_grades):
            s = plan.enrolled[j % size]
            k = j // size
            graded_at = (
                plan.term_start + term * (k + 1) / (rounds + 1)
                + timedelta(seconds=rng.randrange(0, 3 * 86400))
            )
            yield CourseGraded(
                event_id=_uuid(rng), student_id=students.ids[s], course_id=plan.course_id,
                grade=_TENTHS[_tenths(rng.gauss(students.ability[s], 1.0))],
                on_time=rng.random() >= students.lateness[s],
                graded_at=graded_at, accepted_at=_accepted(rng, graded_at),
            )


def _first_grades(plan: CoursePlan, tasks: int) -> int:
    """How many of a course's task grades are first grades of their slot; the rest regrade."""
    firsts = min(len(plan.enrolled) * tasks, round(plan.task_grades / (1 + REGRADE_RATE)))
    return max(firsts, min(plan.task_grades, 1))


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


# The bits `uuid.UUID(int=..., version=4)` sets: the variant (RFC 4122) and the version.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)
_new_uuid = uuid.UUID.__new__
_set = object.__setattr__


def _uuid(rng: random.Random) -> uuid.UUID:
    """`uuid.UUID(int=rng.getrandbits(128), version=4)`, built without the constructor's
    argument checks (one per event: the generator's hot path)."""
    made = _new_uuid(uuid.UUID)
    _set(made, "int", rng.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)
    _set(made, "is_safe", uuid.SafeUUID.unknown)
    return made


def _clip(x: float, low: float, high: float) -> float:
    return low if x < low else min(x, high)


def _tenths(grade: float) -> int:
    tenths = round(grade * 10)
    return 0 if tenths < 0 else min(tenths, 100)


_FORWARDING_DELAYS = tuple(timedelta(milliseconds=ms) for ms in range(50, 30_050))


def _accepted(rng: random.Random, graded_at: datetime) -> datetime:
    """The platform forwards a grade within seconds of grading it (50 ms to 30 s)."""
    return graded_at + _FORWARDING_DELAYS[int(rng.random() * 30_000)]
