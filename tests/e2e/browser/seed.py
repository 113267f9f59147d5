"""The grades the console's browser tests open: one course of eight students over four weeks
(late work, a regrade, a struggling student), and a second course for one of them."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp

COURSE = "algebra-1"
OTHER_COURSE = "physics-1"
STUDENTS = [uuid.UUID(f"00000000-0000-4000-8000-0000000000{n:02x}") for n in range(0xa1, 0xa9)]
ME = STUDENTS[0]  # has grades in both courses
STRUGGLER = STUDENTS[7]  # low, declining, late
OUTSIDER = uuid.UUID("00000000-0000-4000-8000-0000000000ff")  # in no course
TASKS = ["hw-1", "hw-2", "hw-3", "exam-1"]
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday; one task a week

# grade of each student (row) for each task (column)
GRADES = [
    [9, 8.5, 9.5, 9],
    [7.5, 8, 7, 8.5],
    [6, 7, 6.5, 7],
    [8, 9, 8.5, 9.5],
    [10, 9.5, 9, 10],
    [5.5, 6, 7, 6.5],
    [7, 7.5, 8, 7.5],
    [6.5, 5, 3.5, 2],  # the struggling student: each grade lower than the last
]


@dataclass(frozen=True)
class Seeded:
    events: int  # task and course grades posted
    task_grades: int  # current task grades once recorded (a regrade replaces one)


def events() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for s, (student, grades) in enumerate(zip(STUDENTS, GRADES, strict=True)):
        for t, (task, grade) in enumerate(zip(TASKS, grades, strict=True)):
            late = (s + t) % 5 == 0 or (student == STRUGGLER and t >= 1)
            out.append({
                "kind": "task_grade", "student_id": str(student), "course_id": COURSE,
                "task_id": task, "grade": grade, "on_time": not late,
                "graded_at": (START + timedelta(days=7 * t, hours=s)).isoformat(),
            })
        out.append({
            "kind": "course_grade", "student_id": str(student), "course_id": COURSE,
            "grade": grades[-1], "graded_at": (START + timedelta(days=25)).isoformat(),
        })
    # a regrade: the second student's hw-2, raised a day later
    out.append({
        "kind": "task_grade", "student_id": str(STUDENTS[1]), "course_id": COURSE,
        "task_id": "hw-2", "grade": 9, "on_time": True,
        "graded_at": (START + timedelta(days=8)).isoformat(),
    })
    for t, grade in enumerate([8, 8.5, 9]):
        out.append({
            "kind": "task_grade", "student_id": str(ME), "course_id": OTHER_COURSE,
            "task_id": f"lab-{t + 1}", "grade": grade, "on_time": True,
            "graded_at": (START + timedelta(days=7 * t, hours=3)).isoformat(),
        })
    return out


async def seed(http: aiohttp.ClientSession, base: str, token: str) -> Seeded:
    batch = events()
    async with http.post(
        f"{base}/stats/grades/batch", json={"events": batch},
        headers={"Authorization": f"Bearer {token}"},
    ) as reply:
        assert reply.status == 202, await reply.text()
    task_grades = len(STUDENTS) * len(TASKS) + 3  # the regrade replaces one
    return Seeded(events=len(batch), task_grades=task_grades)
