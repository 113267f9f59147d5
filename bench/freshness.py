"""Freshness: which reads a new grade changes, and how each of them shows that it has.

A probe is a fresh student graded in a course that the steady writes leave alone (a probe course):
one task grade (0.0, late) and one course-level grade (0.0). Every read endpoint of
`bench.http_load` changes with them, and each says so in its own way, below: a count one higher
than before the probe (read before it is posted), or the student present where they were not.
A probe course serves one probe at a time, so "one higher" is exactly this probe's grade.

The course standings are checked sorted by student id (`sort=student_id`), where the probe's
student comes first (`probe_student_id`): sorted by average, as the load reads them, a student
graded 0.0 is one of many at the bottom and may not be on the first page at all.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.http_load import percentile

Body = Mapping[str, Any] | None  # the JSON answer; None when it was not 200

# How a read depends on the probe's two grades.
TASK = "task"
COURSE = "course"
BOTH = "both"


@dataclass(frozen=True, slots=True)
class Probe:
    student: str
    course: str
    task: str


@dataclass(frozen=True, slots=True)
class ProbeRead:
    name: str  # as in bench.http_load
    template: str  # {student}, {course}, {task}
    after: str  # TASK, COURSE or BOTH: the POSTs it must reflect
    shows: Callable[[Probe, Body, float | None], bool]  # (probe, answer, baseline)
    baseline: Callable[[Probe, Body], float] | None = None  # the figure before the probe

    def path(self, probe: Probe) -> str:
        return self.template.format(student=probe.student, course=probe.course, task=probe.task)


def _get(body: Body, key: str) -> Any:
    return None if body is None else body.get(key)


def _rows(body: Body, key: str) -> list[Mapping[str, Any]]:
    rows = _get(body, key)
    return rows if isinstance(rows, list) else []


def _has(rows: list[Mapping[str, Any]], key: str, value: str) -> bool:
    return any(row.get(key) == value for row in rows)


def _total_count(probe: Probe, body: Body) -> float:
    return float(sum(row.get("total_count", 0) for row in _rows(body, "data")))


def _task_graded(probe: Probe, body: Body) -> float:
    return float(next(
        (row.get("graded_count", 0) for row in _rows(body, "tasks") if row.get("task_id") == probe.task),
        0,
    ))


def _number(key: str) -> Callable[[Probe, Body], float]:
    return lambda probe, body: float(_get(body, key) or 0)


def _one_more(figure: Callable[[Probe, Body], float]) -> Callable[[Probe, Body, float | None], bool]:
    return lambda probe, body, before: body is not None and figure(probe, body) >= (before or 0) + 1


PROBE_READS: tuple[ProbeRead, ...] = (
    ProbeRead(
        "student course summary", "/stats/student/{student}/course/{course}", BOTH,
        lambda p, b, _: _get(b, "assignments_completed") == 1 and _get(b, "average_grade") is not None,
    ),
    ProbeRead(
        "student average", "/stats/student/{student}/average?group_by=month", COURSE,
        lambda p, b, _: _get(b, "grade_count") == 1,
    ),
    ProbeRead(
        "course average", "/stats/course/{course}/average?group_by=month", COURSE,
        _one_more(_number("total_students")), _number("total_students"),
    ),
    ProbeRead(
        "student task comparison", "/stats/student/{student}/course/{course}/task/average", TASK,
        lambda p, b, _: _get(b, "student_average") is not None,
    ),
    ProbeRead(
        "task averages", "/stats/course/{course}/task/{task}/averages", TASK,
        lambda p, b, _: _has(_rows(b, "students"), "student_id", p.student),
    ),
    ProbeRead(
        "course on-time", "/stats/course/{course}/on_time_percentage?group_by=week", TASK,
        _one_more(_total_count), _total_count,
    ),
    ProbeRead(
        "student on-time", "/stats/course/{course}/student/{student}/on_time_percentage", TASK,
        lambda p, b, _: b is not None and _total_count(p, b) == 1,
    ),
    ProbeRead(
        "course task spreads", "/stats/course/{course}/tasks", TASK,
        _one_more(_task_graded), _task_graded,
    ),
    ProbeRead(
        "course standings (50)", "/stats/course/{course}/students?limit=50&sort=student_id", TASK,
        lambda p, b, _: _has(_rows(b, "items"), "student_id", p.student),
    ),
    ProbeRead(
        "course distribution", "/stats/course/{course}/distribution", TASK,
        _one_more(_number("student_count")), _number("student_count"),
    ),
    ProbeRead(
        "course at-risk", "/stats/course/{course}/at_risk", TASK,
        lambda p, b, _: _has(_rows(b, "students"), "student_id", p.student),
    ),
    ProbeRead(
        "student's courses", "/stats/student/{student}/courses", BOTH,
        lambda p, b, _: any(
            row.get("course_id") == p.course and row.get("assignments_completed") == 1
            for row in _rows(b, "courses")
        ),
    ),
)

_ID_SPACE = 16**12


def probe_student_id(millis: int, sequence: int) -> str:
    """A student id that sorts before every id of the dataset and of every earlier probe: the
    later (`millis`, then `sequence` within a millisecond, below 16), the smaller."""
    rank = (_ID_SPACE - 1) - (millis * 16 + sequence % 16) % _ID_SPACE
    return f"00000000-0000-4000-8000-{rank:012x}"


def probe_courses(courses: Sequence[str], every: int = 10) -> tuple[list[str], list[str]]:
    """(probe courses, the rest): every `every`th course probes, at least one; the steady writes
    go to the rest (to every course when there is no other)."""
    probes = list(courses[::every]) or list(courses[:1])
    rest = [c for c in courses if c not in set(probes)]
    return probes, rest or list(courses)


def summarize(seconds: Sequence[float]) -> dict[str, float | int]:
    """Count, p50, p99 and max (ms) of freshness figures (seconds)."""
    ordered = sorted(seconds)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1e3, 1),
        "p99_ms": round(percentile(ordered, 99) * 1e3, 1),
        "max_ms": round((ordered[-1] if ordered else 0.0) * 1e3, 1),
    }
