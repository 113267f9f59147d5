"""Live: a grade recorded for a course appears on its open page without a reload, pushed by the
course's stream of changes; when the stream is down the page says so, and once the service is
back it reconnects and reads the course again. The time from the POST to the row on the page is
printed in the run's summary."""

import time
import uuid
from collections.abc import Callable

import pytest

from tests.e2e.browser import seed
from tests.e2e.browser.conftest import OpenPage
from tests.e2e.browser.support import SECRET, Console, screenshot
from tests.e2e.harness import wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]


async def post_task_grade(console: Console, student: uuid.UUID, task: str, grade: float) -> None:
    async with console.http.post(
        f"{console.base}/stats/student/task/grade",
        json={"student_id": str(student), "course_id": seed.COURSE, "task_id": task,
              "grade": grade},
        headers={"Authorization": f"Bearer {console.admin}"},
    ) as reply:
        assert reply.status == 200, await reply.text()


async def test_a_recorded_grade_appears_on_the_open_course_page_without_a_reload(
    console: Console, open_page: OpenPage, report: Callable[[str], None]
) -> None:
    opened = await open_page(f"{console.base}/stats/ui/course/{seed.COURSE}", token=console.teacher)
    page = opened.page
    live = page.locator("#live")
    await page.locator("#live[data-state='up']").wait_for()
    assert await live.inner_text() == "Live"
    await page.evaluate("window.sameDocument = true")  # gone if the page were reloaded

    newcomer = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
    posted = time.monotonic()
    await post_task_grade(console, newcomer, "hw-1", 10)
    await page.locator("#students-table td", has_text=str(newcomer)).wait_for(timeout=15_000)
    shown_after = time.monotonic() - posted
    report(f"live update: a grade POSTed to the API appeared on the open course page "
           f"{shown_after * 1000:.0f} ms later (stream, worker and re-read included)")
    assert await page.evaluate("window.sameDocument") is True
    assert int(await live.get_attribute("data-changes") or 0) >= 1
    distribution = await console.get(f"/stats/course/{seed.COURSE}/distribution", console.teacher)
    assert distribution["student_count"] == len(seed.STUDENTS) + 1
    await page.locator("#distribution-summary").filter(
        has_text=f"{distribution['student_count']} students"
    ).wait_for()

    # The API goes away: the page says the stream is down ...
    api = console.stack.services[0]
    port = console.base.rsplit(":", 1)[1]
    api.stop()
    await page.locator("#live[data-state='down']").filter(has_text="reconnecting").wait_for()
    await screenshot(page, "console-live-down")
    # ... and once it is back, reconnects and reads what changed meanwhile.
    console.stack.service("api-again", "serve", "--port", port, STATS_JWT_SECRET=SECRET)
    await wait_healthy(console.http, console.base)
    meanwhile = uuid.UUID("00000000-0000-4000-8000-0000000000c2")
    await post_task_grade(console, meanwhile, "hw-2", 9.5)
    await page.locator("#live[data-state='up']").wait_for(timeout=30_000)
    await page.locator("#students-table td", has_text=str(meanwhile)).wait_for(timeout=15_000)
    assert await page.evaluate("window.sameDocument") is True
    # the browser logs each refused reconnection while the API was down, and nothing else
    assert [e for e in opened.errors if "ERR_CONNECTION_REFUSED" not in e] == []
