"""`classconnect-stats demo` against a running API: realistic courses (late work, regrades, a
student who struggles), every grade counted once however often the demo runs."""

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from entrypoints.cli.demo import COURSES, STRUGGLING, course_events, post_demo, student_id
from entrypoints.container import Container
from entrypoints.http.app import create_app


async def _get(url: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 200, await r.text()
        return await r.json()


def test_the_demo_is_the_same_on_every_run_and_shows_what_a_course_page_needs() -> None:
    events = [e for course in COURSES for e in course_events(course)]
    assert events == [e for course in COURSES for e in course_events(course)]
    assert len({e["event_id"] for e in events}) == len(events)
    task_grades = [e for e in events if e["kind"] == "task_grade"]
    slots = {(e["student_id"], e["course_id"], e["task_id"]) for e in task_grades}
    assert len(task_grades) > len(slots)  # some tasks are regraded
    assert any(not e["on_time"] for e in task_grades)  # some work is late
    struggling = [e for e in task_grades if e["student_id"] == student_id(STRUGGLING)]
    course = COURSES[0]
    assert len([e for e in struggling if e["course_id"] == course.course_id]) < len(course.tasks)


async def test_the_demo_posts_through_the_api_and_counts_once_when_run_twice(
    aiohttp_server: Callable[[Any], Awaitable[Any]], container: Container
) -> None:
    server = await aiohttp_server(create_app(container))
    url = str(server.make_url("")).rstrip("/")
    pages = await post_demo(url, None, wait=5)
    course = COURSES[0]
    assert f"{url}/stats/ui/course/{course.course_id}" in "\n".join(pages)
    assert f"{url}/stats/ui/student/{student_id(STRUGGLING)}" in "\n".join(pages)
    before = await _get(f"{url}/stats/course/{course.course_id}/students?limit=100")
    at_risk = await _get(f"{url}/stats/course/{course.course_id}/at_risk")

    assert await post_demo(url, None, wait=5) == pages
    after = await _get(f"{url}/stats/course/{course.course_id}/students?limit=100")
    assert after == before
    database = container.adapters.database()
    assert len(database.course_grades) == sum(c.students for c in COURSES)
    assert student_id(STRUGGLING) in {s["student_id"] for s in at_risk["students"]}
    on_time = await _get(f"{url}/stats/course/{course.course_id}/on_time_percentage")
    [all_time] = on_time["data"]
    assert 0 < all_time["percentage"] < 100
