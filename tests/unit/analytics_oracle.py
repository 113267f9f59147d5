"""A plain re-statement of the analytics, to check the use cases and both adapters against.

It shares nothing with the production code but the event classes and grade_oracle's reading of
the core contract (which events count): exact fractions, explicit loops, brute force where the
code is clever (ranks by counting, the standard deviation's rounding by search).
"""

import uuid
from collections.abc import Iterable
from datetime import UTC
from fractions import Fraction

from grade_oracle import course_grades, current_task_grades, rounded, share

from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded


def surviving(events: Iterable[GradeEvent]) -> list[GradeEvent]:
    """The grade events no erasure covers: an erasure removes every grade of its student accepted
    up to its own acceptance, whenever either arrives."""
    events = list(events)
    erasures = [e for e in events if isinstance(e, StudentErased)]
    return [
        e
        for e in events
        if not isinstance(e, StudentErased)
        and not any(
            x.student_id == e.student_id and e.accepted_at <= x.accepted_at for x in erasures
        )
    ]


def exact(value: float | None) -> Fraction:
    """A rounded figure (the float of a 2-decimal value) back as the exact decimal it stands for."""
    assert value is not None
    return Fraction(f"{value:.2f}")


def quantile(values: list[Fraction], q: Fraction) -> Fraction:
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    below = int(h)  # h >= 0, so int is floor
    if below + 1 >= len(ordered):
        return ordered[below]
    return ordered[below] + (h - below) * (ordered[below + 1] - ordered[below])


def std_dev(values: list[Fraction]) -> float:
    """Rounded half up to cents by search: the c with (c - 1/2)^2 <= 10^4 var < (c + 1/2)^2."""
    mean = sum(values, Fraction(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
    target = variance * 10_000
    cents = 0
    while (Fraction(2 * cents + 1, 2)) ** 2 <= target:
        cents += 1
    return float(f"{cents // 100}.{cents % 100:02d}")


def histogram(values: list[Fraction]) -> list[int]:
    bins = [0] * 10
    for v in values:
        index = 0
        for edge in range(1, 10):
            if v >= edge:
                index = edge
        bins[index] += 1
    return bins


def spread(values: list[Fraction]) -> dict[str, object]:
    return {
        "average": rounded(sum(values, Fraction(0)) / len(values)),
        "min": rounded(min(values)),
        "max": rounded(max(values)),
        "median": rounded(quantile(values, Fraction(1, 2))),
        "first_quartile": rounded(quantile(values, Fraction(1, 4))),
        "third_quartile": rounded(quantile(values, Fraction(3, 4))),
        "std_dev": std_dev(values),
        "histogram": histogram(values),
    }


def task_spreads(events: list[GradeEvent], course: str) -> list[dict[str, object]]:
    grades = [g for g in current_task_grades(surviving(events)) if g.course_id == course]
    result = []
    for task in sorted({g.task_id for g in grades}):
        of_task = [g for g in grades if g.task_id == task]
        on_time = len([g for g in of_task if g.on_time])
        result.append(
            {
                "task_id": task,
                "graded_count": len(of_task),
                **spread([Fraction(g.grade) for g in of_task]),
                "on_time_count": on_time,
                "late_count": len(of_task) - on_time,
            }
        )
    return result


def by_graded_at(grades: Iterable[TaskGraded]) -> list[TaskGraded]:
    """Oldest first; of two graded at the same moment, the greater task id is the later."""
    return sorted(grades, key=lambda g: (g.graded_at.astimezone(UTC), g.task_id))


def trend(ordered: list[TaskGraded]) -> str | None:
    last = [g.grade for g in ordered[-3:]]
    if len(last) < 3:
        return None
    if last[0] < last[1] < last[2]:
        return "rising"
    return "declining" if last[0] > last[1] > last[2] else "mixed"


def grade_rows(grades: list[TaskGraded]) -> list[dict[str, object]]:
    return [
        {"task_id": g.task_id, "grade": float(g.grade), "graded_at": g.graded_at.astimezone(UTC)}
        for g in grades
    ]


def students(events: list[GradeEvent], course: str) -> dict[uuid.UUID, dict[str, object]]:
    """Every student with a grade in the course: summary figures, rank and percentile, the trend
    and the last three of their task grades."""
    alive = surviving(events)
    tasks = [g for g in current_task_grades(alive) if g.course_id == course]
    courses = [g for g in course_grades(alive) if g.course_id == course]
    table: dict[uuid.UUID, dict[str, object]] = {}
    for student in {g.student_id for g in tasks} | {g.student_id for g in courses}:
        own_tasks = [Fraction(g.grade) for g in tasks if g.student_id == student]
        own_courses = [Fraction(g.grade) for g in courses if g.student_id == student]
        on_time = len([g for g in tasks if g.student_id == student and g.on_time])
        ordered = by_graded_at(g for g in tasks if g.student_id == student)
        table[student] = {
            "student_id": student,
            "average_grade": rounded(sum(own_tasks, Fraction(0)) / len(own_tasks))
            if own_tasks
            else None,
            "course_grade_average": rounded(sum(own_courses, Fraction(0)) / len(own_courses))
            if own_courses
            else None,
            "assignments_completed": len(own_tasks),
            "on_time_percentage": share(on_time, len(own_tasks)),
            "trend": trend(ordered),
            "recent_grades": grade_rows(ordered[-3:]),
            "task_grades": grade_rows(ordered),  # every one (a student's courses show them)
        }
    ranked = [row for row in table.values() if row["average_grade"] is not None]
    for row in table.values():
        if row["average_grade"] is None:
            row["rank"], row["percentile"] = None, None
            continue
        mine = exact(row["average_grade"])  # type: ignore[arg-type]
        higher = len([r for r in ranked if exact(r["average_grade"]) > mine])  # type: ignore[arg-type]
        lower = len([r for r in ranked if exact(r["average_grade"]) < mine])  # type: ignore[arg-type]
        row["rank"] = higher + 1
        row["percentile"] = share(lower, len(ranked))
    return table


def listing_order(rows: list[dict[str, object]], sort: str, order: str) -> list[uuid.UUID]:
    """Student ids in listing order: by the sort field (no value last), ties by id ascending."""

    def before(a: dict[str, object], b: dict[str, object]) -> bool:
        if sort == "student_id":
            ia, ib = a["student_id"].int, b["student_id"].int  # type: ignore[attr-defined]
            return ia < ib if order == "asc" else ia > ib
        va, vb = a[_FIELD[sort]], b[_FIELD[sort]]
        if va is None or vb is None:
            if va is None and vb is None:
                return a["student_id"].int < b["student_id"].int  # type: ignore[attr-defined]
            return vb is None
        if va != vb:
            return (va < vb) if order == "asc" else (va > vb)  # type: ignore[operator]
        return a["student_id"].int < b["student_id"].int  # type: ignore[attr-defined]

    ordered: list[dict[str, object]] = []
    for row in rows:  # insertion sort: slow, obviously right
        at = 0
        while at < len(ordered) and before(ordered[at], row):
            at += 1
        ordered.insert(at, row)
    return [r["student_id"] for r in ordered]  # type: ignore[misc]


_FIELD = {
    "average": "average_grade",
    "on_time_percentage": "on_time_percentage",
    "assignments_completed": "assignments_completed",
}


def distribution(events: list[GradeEvent], course: str) -> dict[str, object]:
    """The spread of the students' exact task averages (not of their rounded figures)."""
    grades = [g for g in current_task_grades(surviving(events)) if g.course_id == course]
    averages = []
    for student in {g.student_id for g in grades}:
        own = [Fraction(g.grade) for g in grades if g.student_id == student]
        averages.append(sum(own, Fraction(0)) / len(own))
    if not averages:
        return {"student_count": 0, "histogram": [0] * 10}
    figures = spread(averages)
    figures["mean"] = figures.pop("average")
    return {"student_count": len(averages), **figures}


def at_risk(
    events: list[GradeEvent],
    course: str,
    grade_below: Fraction,
    on_time_below: Fraction,
    declining: bool,
) -> list[tuple[uuid.UUID, list[str], list[tuple[str, Fraction]]]]:
    """(student, reasons, last three task grades oldest first), lowest average first."""
    table = students(events, course)
    grades = [g for g in current_task_grades(surviving(events)) if g.course_id == course]
    flagged = []
    for student, row in table.items():
        if row["average_grade"] is None:
            continue
        last = by_graded_at(g for g in grades if g.student_id == student)[-3:]
        reasons = []
        if exact(row["average_grade"]) < grade_below:  # type: ignore[arg-type]
            reasons.append("low_average")
        if exact(row["on_time_percentage"]) < on_time_below:  # type: ignore[arg-type]
            reasons.append("low_on_time")
        if (
            declining
            and len(last) == 3
            and last[0].grade > last[1].grade > last[2].grade
        ):
            reasons.append("declining")
        if reasons:
            flagged.append(
                (
                    exact(row["average_grade"]),  # type: ignore[arg-type]
                    student.int,
                    (student, reasons, [(g.task_id, Fraction(g.grade)) for g in last]),
                )
            )
    return [entry for _, _, entry in sorted(flagged, key=lambda f: (f[0], f[1]))]


def student_courses(events: list[GradeEvent], student: uuid.UUID) -> dict[str, dict[str, object]]:
    alive = surviving(events)
    courses = {g.course_id for g in alive if isinstance(g, CourseGraded | TaskGraded)
               and g.student_id == student}
    result = {}
    for course in courses:
        row = students(events, course).get(student)
        if row is not None:
            result[course] = row
    return result


def grade_table(events: list[GradeEvent], course: str) -> list[list[str]]:
    """The export: header, then one row per student with a task grade, grades as Fractions'
    exact values to compare with."""
    grades = [g for g in current_task_grades(surviving(events)) if g.course_id == course]
    tasks = sorted({g.task_id for g in grades})
    rows = [["student_id", *tasks]]
    for student in sorted({g.student_id for g in grades}, key=lambda s: s.int):
        cells = [str(student)]
        for task in tasks:
            held = [g for g in grades if g.student_id == student and g.task_id == task]
            cells.append(str(Fraction(held[0].grade)) if held else "")
        rows.append(cells)
    return rows
