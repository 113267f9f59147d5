"""The queue page in a real browser: an operator sees the queue's state, its consumers, the
processed and failed events per minute and a dead letter with its payload and reason; replays
it from the page (after confirming) and the worker records its grade; pauses and resumes
consumption. Accessible, no console errors, fits 360 px; other tokens are told politely."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import redis.asyncio as redis

from adapters.queue.redis import RedisDeadLetters
from domain.events import CourseGraded
from tests.e2e.browser import seed
from tests.e2e.browser.conftest import Measure, OpenPage
from tests.e2e.browser.support import (
    NARROW,
    Console,
    screenshot,
    scroll_width,
    serious_accessibility_violations,
)
from tests.e2e.conftest import Stack
from tests.e2e.harness import eventually
from tests.integration.worker_redis_support import taskiq_message

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]
REASON = "recording failed 5 times: the database refused the transaction"


async def _dead_letter(stack: Stack, student: uuid.UUID) -> tuple[str, CourseGraded]:
    """A message the workers gave up on, as they leave one: a course grade of `student`."""
    at = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
    event = CourseGraded(uuid.uuid4(), student, seed.COURSE, Decimal("6.5"), True, at, at)
    client = redis.from_url(stack.redis_url)
    try:
        letters = RedisDeadLetters(client, f"{stack.namespace}:events")
        letter_id = await letters.add(taskiq_message([event]), error=REASON, attempts=5)
    finally:
        await client.aclose()
    return letter_id, event


async def test_an_operator_replays_a_dead_letter_and_pauses_the_queue(
    console: Console, stack: Stack, open_page: OpenPage, measure: Measure
) -> None:
    student = uuid.uuid4()
    letter_id, event = await _dead_letter(stack, student)
    watched = await open_page(f"{console.base}/stats/ui/queue", token=console.admin)
    page = watched.page
    letter = page.locator(f"article[aria-labelledby='letter-{letter_id}']")
    await letter.wait_for()
    assert REASON in await letter.locator(".reason").inner_text()
    await letter.locator("summary", has_text="Payload").click()
    assert str(event.event_id) in await letter.locator("pre").inner_text()

    queue = await console.get("/stats/admin/queue")
    figures = page.locator("#state-figures")
    assert await figures.locator("dt", has_text="Dead letters").locator("+ dd").inner_text() == "1"
    assert await figures.locator("dt", has_text="Consumption").locator("+ dd").inner_text() == (
        "running"
    )
    [group] = queue["groups"]
    consumers = page.locator("#consumers-table tbody tr")
    await consumers.first.wait_for()
    assert await consumers.count() == len(group["consumer_states"])
    chart = page.locator("#throughput-chart")
    assert await chart.get_attribute("role") == "img"
    assert "each minute of the last hour" in (await chart.get_attribute("aria-label") or "")
    minutes = page.locator("#throughput-table tbody tr")
    assert await minutes.count() == len(queue["throughput"]) == 60

    assert await serious_accessibility_violations(page) == []
    await screenshot(page, "console-queue")
    await measure("queue", page)

    await letter.get_by_role("button", name="Replay").click()
    dialog = page.locator("#confirm")
    await dialog.wait_for()
    assert letter_id in await dialog.inner_text()
    await dialog.get_by_role("button", name="Replay it").click()
    await page.locator("#notice", has_text=f"Dead letter {letter_id} was queued again").wait_for()
    await eventually(lambda: console.get(f"/stats/student/{student}/average"),
                     lambda answer: answer["grade_count"] == 1)
    await page.locator("#dead-letters-summary", has_text="No dead letters").wait_for()

    # the chart counts it, as the API does: the page's table converges on the API's minutes
    async def counted() -> bool:
        stated = (await console.get("/stats/admin/queue"))["throughput"]
        shown = await minutes.last.locator("td").all_text_contents()
        return shown[1:] == [str(stated[-1]["processed"]), str(stated[-1]["failed"])]

    await eventually(counted, bool)

    await page.get_by_role("button", name="Pause consumption").click()
    await dialog.get_by_role("button", name="Pause", exact=True).click()
    await page.get_by_role("button", name="Resume consumption").wait_for()
    paused = await console.get("/stats/admin/queue")
    assert paused["paused_since"] is not None
    assert await figures.locator("dt", has_text="Consumption").locator("+ dd").inner_text() == (
        "paused"
    )
    await screenshot(page, "console-queue-paused")

    await page.get_by_role("button", name="Resume consumption").click()
    await dialog.get_by_role("button", name="Resume", exact=True).click()
    await page.get_by_role("button", name="Pause consumption").wait_for()
    assert (await console.get("/stats/admin/queue"))["paused_since"] is None
    assert watched.unexpected_errors() == []

    narrow = await open_page(f"{console.base}/stats/ui/queue", token=console.admin, width=NARROW)
    await narrow.page.locator("#state-figures").wait_for()
    assert await scroll_width(narrow.page) <= NARROW
    await screenshot(narrow.page, "console-queue-360")
    assert narrow.unexpected_errors() == []


async def test_a_cancelled_action_changes_nothing(
    console: Console, stack: Stack, open_page: OpenPage
) -> None:
    letter_id, _ = await _dead_letter(stack, uuid.uuid4())
    watched = await open_page(f"{console.base}/stats/ui/queue", token=console.admin)
    letter = watched.page.locator(f"article[aria-labelledby='letter-{letter_id}']")
    await letter.get_by_role("button", name="Delete").click()
    await watched.page.locator("#confirm").get_by_role("button", name="Cancel").click()
    page = await console.get("/stats/admin/queue/dead-letters")
    assert [d["id"] for d in page["dead_letters"]] == [letter_id]
    await letter.get_by_role("button", name="Delete").click()
    await watched.page.locator("#confirm").get_by_role("button", name="Delete it").click()
    await watched.page.locator("#dead-letters-summary", has_text="No dead letters").wait_for()
    assert (await console.get("/stats/admin/queue/dead-letters"))["dead_letters"] == []
    assert watched.unexpected_errors() == []


async def test_the_queue_page_is_for_operators(console: Console, open_page: OpenPage) -> None:
    watched = await open_page(f"{console.base}/stats/ui/queue", token=console.teacher)
    await watched.page.locator("#notice", has_text="does not give access to the queue").wait_for()
    assert await watched.page.locator("#queue-content").is_hidden()
    assert watched.unexpected_errors(refusals={403}) == []
