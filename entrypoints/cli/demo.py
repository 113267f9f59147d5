"""`classconnect-stats demo [--url URL] [--token TOKEN]`: a few realistic courses' grades, posted
through the running service's API, so that a newcomer sees full pages a minute after `make run`.

Three courses of one autumn term: task grades (homework, a project, exams), some handed in late,
a few regraded, one student who struggles (low, late and missing work) and a course-level grade
for everyone. Every event has a fixed id (a UUID derived from its name): running the command
again changes nothing, each grade still counts once.
"""

import argparse
import asyncio
import random
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from entrypoints.settings import Settings

# Every id of the demo is derived from this namespace and a name: the same on every run.
NAMESPACE = uuid.UUID("5d1c0a6e-7f4b-4c8e-9a31-0c1a55e57a75")
TERM_START = datetime(2025, 9, 1, 14, 0, tzinfo=UTC)  # in the past, as grades must be


@dataclass(frozen=True)
class Course:
    course_id: str
    students: int
    tasks: tuple[tuple[str, int], ...]  # (task id, week it is due)
    level: float  # the course's typical grade


COURSES = (
    Course("algebra-1", 14, (("hw-1", 1), ("hw-2", 2), ("hw-3", 4), ("quiz-1", 5),
                             ("hw-4", 7), ("midterm", 8), ("hw-5", 10), ("final-exam", 13)), 7.2),
    Course("biology-2", 11, (("lab-1", 2), ("lab-2", 4), ("project", 9), ("exam", 12)), 7.8),
    Course("history-3", 9, (("essay-1", 3), ("essay-2", 7), ("exam", 12)), 6.9),
)
STRUGGLING = "student-3"  # in every course: low, late and missing work


def student_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def _event_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _grade(value: float) -> float:
    return round(min(10.0, max(0.0, value)) * 2) / 2  # teachers grade in halves


def course_events(course: Course) -> Iterator[dict[str, Any]]:
    """The course's events, the same on every call."""
    rng = random.Random(course.course_id)
    for n in range(1, course.students + 1):
        name = f"student-{n}"
        struggling = name == STRUGGLING
        ability = course.level - 2.8 if struggling else rng.gauss(course.level, 1.1)
        for week_index, (task, week) in enumerate(course.tasks):
            if struggling and week_index % 3 == 2:
                continue  # missing work
            late = rng.random() < (0.6 if struggling else 0.12)
            due = TERM_START + timedelta(weeks=week, hours=rng.randint(0, 48))
            grade = _grade(rng.gauss(ability - (0.8 if struggling else 0) * week_index / 4, 1.0))
            base = {"kind": "task_grade", "student_id": student_id(name),
                    "course_id": course.course_id, "task_id": task, "on_time": not late}
            yield {**base, "grade": grade, "graded_at": due.isoformat(),
                   "event_id": _event_id(course.course_id, name, task)}
            if not struggling and rng.random() < 0.08:  # a regrade, a few days later
                regraded = due + timedelta(days=rng.randint(2, 6))
                yield {**base, "grade": _grade(grade + rng.choice((-1.0, 0.5, 1.0, 1.5))),
                       "graded_at": regraded.isoformat(),
                       "event_id": _event_id(course.course_id, name, task, "regrade")}
        final = TERM_START + timedelta(weeks=14)
        yield {"kind": "course_grade", "student_id": student_id(name),
               "course_id": course.course_id, "grade": _grade(ability), "on_time": True,
               "graded_at": final.isoformat(),
               "event_id": _event_id(course.course_id, name, "course-grade")}


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    demo = commands.add_parser(
        "demo", help="post a few realistic courses' grades through the API of a running service"
    )
    demo.add_argument("--url", default=None,
                      help="the service (default: http://STATS_HOST:STATS_PORT)")
    demo.add_argument("--token", default=None,
                      help="a token with the admin or service role, when authentication is on")
    demo.set_defaults(handler=_demo)


def _demo(settings: Settings, args: argparse.Namespace) -> None:
    url = (args.url or f"http://{settings.http.host}:{settings.http.port}").rstrip("/")
    try:
        pages = asyncio.run(post_demo(url, args.token))
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        sys.exit(f"cannot reach the service at {url}: {e!r} (is `make run` running?)")
    except DemoRefused as e:
        sys.exit(str(e))
    print("\n".join(pages))


class DemoRefused(Exception):
    pass


async def post_demo(url: str, token: str | None, wait: float = 60.0) -> list[str]:
    """Post every course's events (one batch each), wait until the workers have recorded them,
    and return what to open."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    lines = []
    async with aiohttp.ClientSession(headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        for course in COURSES:
            events = list(course_events(course))
            async with http.post(f"{url}/stats/grades/batch", json={"events": events}) as r:
                if r.status != 202:
                    raise DemoRefused(f"{course.course_id}: the service answered {r.status}: "
                                      f"{await r.text()}")
            await _recorded(http, url, course, wait)
            lines.append(f"{course.course_id}: {len(events)} grades of {course.students} "
                         f"students  {url}/stats/ui/course/{course.course_id}")
    lines.append(f"a student who struggles:  {url}/stats/ui/student/{student_id(STRUGGLING)}")
    lines.append(f"a student doing well:     {url}/stats/ui/student/{student_id('student-1')}")
    return lines


async def _recorded(http: aiohttp.ClientSession, url: str, course: Course, wait: float) -> None:
    """Until every student of the course is counted (the workers record within moments)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        async with http.get(f"{url}/stats/course/{course.course_id}/distribution") as r:
            if r.status == 200 and (await r.json())["student_count"] >= course.students:
                return
            if r.status in (401, 403):
                raise DemoRefused(f"the service answered {r.status}: {await r.text()}")
        if loop.time() > deadline:
            raise DemoRefused(f"{course.course_id}: not recorded within {wait:.0f} s; "
                              "is a worker running? (classconnect-stats queue)")
        await asyncio.sleep(0.2)
