"""The console's home page in a real browser: the token pasted once, the queue's state as the
API states it, opening a course by id; accessible, no console errors, fits 360 px."""

import pytest

from tests.e2e.browser import seed
from tests.e2e.browser.conftest import Measure, OpenPage
from tests.e2e.browser.support import (
    NARROW,
    TOKEN_KEY,
    Console,
    screenshot,
    scroll_width,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]


async def test_home_asks_for_a_token_then_shows_the_queue(
    console: Console, open_page: OpenPage, measure: Measure
) -> None:
    home = await open_page(f"{console.base}/stats/ui/")
    page = home.page
    summary = page.locator("#queue-summary")
    await summary.filter(has_text="needs a token").wait_for()
    assert await page.locator("#token-panel").get_attribute("open") is None

    await page.locator("#token-panel summary").click()
    await page.get_by_label("Paste your token").fill(console.admin)
    await page.get_by_role("button", name="Use this token").click()
    queue = await console.get("/stats/admin/queue")
    figures = page.locator("#queue-figures")
    await figures.wait_for()
    await summary.filter(has_text=f"Stream {queue['stream']}").wait_for()
    assert await figures.locator("dt", has_text="Dead letters").locator("+ dd").inner_text() == str(
        queue["dead_letters"]
    )
    assert await page.locator("#token-state").inner_text() == "kept for this tab"
    assert await page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY}')") == console.admin
    assert not [url for url in home.urls if console.admin in url]  # never in a URL

    assert await serious_accessibility_violations(page) == []
    await screenshot(page, "console-home")
    await measure("home", page)
    assert home.unexpected_errors(refusals={401}) == []
    assert [status for status, _ in home.refused] == [401]  # the queue, before the token

    narrow = await open_page(f"{console.base}/stats/ui/", token=console.admin, width=NARROW)
    await narrow.page.locator("#queue-figures").wait_for()
    assert await scroll_width(narrow.page) <= NARROW
    await screenshot(narrow.page, "console-home-360")
    assert narrow.unexpected_errors() == []

    await narrow.page.get_by_label("Course id").fill(seed.COURSE)
    await narrow.page.get_by_label("Course id").press("Enter")
    await narrow.page.wait_for_url(f"{console.base}/stats/ui/course/{seed.COURSE}")
    await narrow.page.get_by_role("heading", name=f"Course {seed.COURSE}").wait_for()


async def test_a_student_token_is_told_politely_the_queue_is_not_theirs(
    console: Console, open_page: OpenPage
) -> None:
    home = await open_page(f"{console.base}/stats/ui/", token=console.student)
    await home.page.locator("#queue-summary").filter(
        has_text="your token does not give access to the queue"
    ).wait_for()
    assert home.unexpected_errors(refusals={403}) == []
