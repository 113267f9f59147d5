"""The student page in a real browser, with a student's own token: their courses with the API's
figures and a trend chart each, classmates under the API's aliases only; another student's page
and a course page are refused politely."""

import pytest

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


async def test_a_student_sees_their_courses_and_classmates_under_aliases(
    console: Console, open_page: OpenPage, measure: Measure
) -> None:
    opened = await open_page(f"{console.base}/stats/ui/student/{seed.ME}", token=console.student)
    page = opened.page
    cards = page.locator("section.course")
    await cards.nth(1).wait_for()

    mine = await console.get(f"/stats/student/{seed.ME}/courses", console.student)
    assert [c["course_id"] for c in mine["courses"]] == [seed.COURSE, seed.OTHER_COURSE]
    assert await cards.evaluate_all("cs => cs.map(c => c.dataset.course)") == [
        c["course_id"] for c in mine["courses"]
    ]
    for i, course in enumerate(mine["courses"]):
        card = cards.nth(i)
        rank = card.locator("dt", has_text="Rank").locator("+ dd")
        assert await rank.inner_text() == str(course["rank"])
        grades = await page.evaluate(
            "(id) => Chart.getChart(id).data.datasets[0].data", f"course-{i}-chart"
        )
        assert grades == [g["grade"] for g in course["task_grades"]]
        assert len(grades) == course["assignments_completed"]
        comparison = await console.get(
            f"/stats/student/{seed.ME}/course/{course['course_id']}/task/average", console.student
        )
        names = await card.locator(".peers tbody tr td:nth-child(1)").all_inner_texts()
        assert names == [peer["alias"] for peer in comparison["other_students"]]
    assert names == []  # no classmate in the second course: said in words instead
    assert "No other student has a task grade here" in await cards.nth(1).inner_text()
    assert mine["courses"][0]["trend"] in await cards.nth(0).inner_text()

    text = await page.locator("main").inner_text()
    assert not [str(s) for s in seed.STUDENTS[1:] if str(s) in text]  # peers only by alias
    assert await serious_accessibility_violations(page) == []
    await measure("student", page)
    await screenshot(page, "console-student")
    assert opened.unexpected_errors() == [] and opened.refused == []

    narrow = await open_page(
        f"{console.base}/stats/ui/student/{seed.ME}", token=console.student, width=NARROW
    )
    await narrow.page.locator("section.course").nth(1).wait_for()
    assert await scroll_width(narrow.page) <= NARROW
    await screenshot(narrow.page, "console-student-360")


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (f"/stats/ui/student/{seed.STUDENTS[1]}", f"student {seed.STUDENTS[1]}"),
        (f"/stats/ui/course/{seed.COURSE}", f"course {seed.COURSE}"),
    ],
)
async def test_a_students_token_is_refused_politely_elsewhere(
    console: Console, open_page: OpenPage, path: str, what: str
) -> None:
    opened = await open_page(f"{console.base}{path}", token=console.student)
    notice = opened.page.locator("#notice")
    await notice.filter(has_text=f"your token does not give access to {what}").wait_for()
    assert "This token does not grant access" in await notice.inner_text()  # the API's words
    assert not await opened.page.locator("canvas:visible").count()  # nothing drawn
    assert {status for status, _ in opened.refused} == {403}
    assert opened.unexpected_errors(refusals={403}) == []
    assert await serious_accessibility_violations(opened.page) == []
    if "course" in path:
        await screenshot(opened.page, "console-refused")
