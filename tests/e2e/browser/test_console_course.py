"""The course page in a real browser: each chart and table shows the API's figures for the
course, the period switch and the students' sorting work from the keyboard; accessible, no
console errors, fits 360 px."""

from typing import Any

import pytest
from playwright.async_api import Page

from tests.e2e.browser import seed
from tests.e2e.browser.conftest import Measure, OpenPage
from tests.e2e.browser.support import (
    NARROW,
    Console,
    screenshot,
    scroll_width,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]
COURSE = f"/stats/course/{seed.COURSE}"


async def chart_data(page: Page, canvas: str) -> Any:
    return await page.evaluate(
        """(id) => { const c = Chart.getChart(id);
                     return { labels: c.data.labels, data: c.data.datasets.map(d => d.data) }; }""",
        canvas,
    )


async def column(page: Page, table: str, n: int) -> list[str]:
    return await page.locator(f"{table} tbody tr td:nth-child({n})").all_text_contents()


async def test_the_course_page_charts_the_apis_figures(
    console: Console, open_page: OpenPage, measure: Measure
) -> None:
    opened = await open_page(f"{console.base}/stats/ui/course/{seed.COURSE}", token=console.teacher)
    page = opened.page
    await page.locator("#students-table tbody tr").first.wait_for()
    await page.locator("#at-risk-list li").first.wait_for()

    distribution = await console.get(f"{COURSE}/distribution", console.teacher)
    histogram = await chart_data(page, "distribution-chart")
    assert histogram["data"] == [distribution["histogram"]]
    assert await column(page, "#distribution-table", 2) == [str(n) for n in distribution["histogram"]]
    assert f"mean {distribution['mean']}" in await page.locator("#distribution-summary").inner_text()

    tasks = (await console.get(f"{COURSE}/tasks", console.teacher))["tasks"]
    boxes = await chart_data(page, "tasks-chart")
    assert boxes["labels"] == [t["task_id"] for t in tasks] == sorted(seed.TASKS)
    assert [(b["min"], b["q1"], b["median"], b["q3"], b["max"]) for b in boxes["data"][0]] == [
        (t["min"], t["first_quartile"], t["median"], t["third_quartile"], t["max"]) for t in tasks
    ]
    timing = await chart_data(page, "tasks-timing-chart")
    assert timing["data"] == [[t["on_time_count"] for t in tasks], [t["late_count"] for t in tasks]]
    assert sum(timing["data"][1]) > 0  # the seed has late work

    weekly = (await console.get(f"{COURSE}/on_time_percentage?group_by=week", console.teacher))
    assert (await chart_data(page, "on-time-chart"))["data"] == [
        [p["percentage"] for p in weekly["data"]]
    ]
    monthly = await console.get(f"{COURSE}/on_time_percentage?group_by=month", console.teacher)
    month = page.get_by_role("button", name="Month")
    await month.focus()
    await page.keyboard.press("Enter")
    await page.locator("#on-time-summary").filter(has_text="By month").wait_for()
    assert await month.get_attribute("aria-pressed") == "true"
    assert (await chart_data(page, "on-time-chart"))["data"] == [
        [p["percentage"] for p in monthly["data"]]
    ]
    assert len(await column(page, "#on-time-table", 1)) == len(monthly["data"])

    standings = (await console.get(f"{COURSE}/students", console.teacher))["items"]
    assert await column(page, "#students-table", 1) == [str(s["rank"]) for s in standings]
    assert await column(page, "#students-table", 2) == [s["student_id"] for s in standings]
    assert [float(p) for p in await column(page, "#students-table", 4)] == [
        s["percentile"] for s in standings
    ]
    by_id = (await console.get(f"{COURSE}/students?sort=student_id", console.teacher))["items"]
    await page.get_by_role("button", name="Student", exact=True).click()
    await page.locator("#students-summary").filter(has_text="by student id").wait_for()
    assert await column(page, "#students-table", 2) == [s["student_id"] for s in by_id]
    trends = await column(page, "#students-table", 8)
    assert [t.split(":")[0].split(" ")[1] for t in trends] == [s["trend"] for s in by_id]
    assert trends[-1].endswith(": " + ", ".join(
        f"{g['grade']:g}" for g in by_id[-1]["recent_grades"]
    ))  # the struggling student's last three
    header = page.locator("#students-table th", has=page.get_by_role("button", name="Student"))
    assert await header.get_attribute("aria-sort") == "ascending"
    assert await page.get_by_role("button", name="Next page").is_disabled()

    at_risk = await console.get(f"{COURSE}/at_risk", console.teacher)
    assert [s["student_id"] for s in at_risk["students"]] == [str(seed.STRUGGLER)]
    struggler = page.locator("#at-risk-list > ul > li").filter(has_text=str(seed.STRUGGLER))
    assert "each of the last three grades lower" in await struggler.inner_text()

    assert await serious_accessibility_violations(page) == []
    await measure("course", page)
    await screenshot(page, "console-course")
    assert opened.unexpected_errors() == [] and opened.refused == []

    narrow = await open_page(
        f"{console.base}/stats/ui/course/{seed.COURSE}", token=console.teacher, width=NARROW
    )
    await narrow.page.locator("#at-risk-list li").first.wait_for()
    await narrow.page.locator("#tasks details summary").click()  # the widest table, opened
    assert await scroll_width(narrow.page) <= NARROW
    await screenshot(narrow.page, "console-course-360")
    assert narrow.unexpected_errors() == []
