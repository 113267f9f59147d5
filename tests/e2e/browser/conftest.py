"""Browser tests of the web console: headless Chromium from Debian's `chromium` package, driven
by Playwright for Python (pointed at that executable; Playwright's own browsers are never
downloaded), against `serve` and a `worker` over PostgreSQL and Redis with seeded grades.

Where Chromium is missing the tests are skipped and the run says so in its summary. Each page's
weight (bytes transferred) and time to its first chart are printed at the end of the run, and
its screenshots are saved under $STATS_TEST_SCREENSHOTS_DIR (default var/screenshots; docs/console.md
shows the ones in docs/screenshots)."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from tests.e2e.browser import seed
from tests.e2e.browser.support import (
    CHROMIUM_ARGS,
    MEASURED,
    MISSING,
    SECRET,
    SELECTED,
    TOKEN_KEY,
    Console,
    Watched,
    chromium_path,
    page_weight,
)
from tests.e2e.conftest import Stack
from tests.e2e.harness import eventually

OpenPage = Callable[..., Awaitable[Watched]]
Measure = Callable[[str, Page], Awaitable[dict[str, float | None]]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    config.stash[SELECTED] = len(browser_tests)
    config.stash[MEASURED] = []
    if browser_tests and chromium_path() is None:
        for item in browser_tests:
            item.add_marker(pytest.mark.skip(reason=MISSING))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(SELECTED, 0) and chromium_path() is None:
        terminalreporter.write_sep("!", MISSING, red=True, bold=True)
    measured = config.stash.get(MEASURED, [])
    if measured:
        terminalreporter.write_sep("-", "web console: page weight and time to first chart")
        for line in measured:
            terminalreporter.write_line(line)


@pytest.fixture
async def console(stack: Stack, http: aiohttp.ClientSession) -> Console:
    base = await stack.api(http, STATS_JWT_SECRET=SECRET)
    stack.worker(STATS_JWT_SECRET=SECRET)
    ready = Console(base, http, stack)
    seeded = await seed.seed(http, base, ready.admin)

    async def recorded() -> int:
        tasks = await ready.get(f"/stats/course/{seed.COURSE}/tasks")
        mine = await ready.get(f"/stats/student/{seed.ME}/courses")
        return sum(t["graded_count"] for t in tasks["tasks"]) + sum(
            c["assignments_completed"] for c in mine["courses"] if c["course_id"] != seed.COURSE
        )

    await eventually(recorded, lambda n: n == seeded.task_grades)
    return ready


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    path = chromium_path()
    assert path is not None  # the tests are skipped without it
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def open_page(chromium: Browser) -> AsyncIterator[OpenPage]:
    """Opens a URL in a fresh tab (`width` px wide; `token` as if pasted before) and watches
    its console, uncaught errors, requests and refusals."""
    contexts: list[BrowserContext] = []

    async def open_page(
        url: str, *, token: str | None = None, width: int = 1200, height: int = 900
    ) -> Watched:
        context = await chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        if token:
            await context.add_init_script(
                f"sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(token)})"
            )
        page = await context.new_page()
        watched = Watched(page)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                watched.errors.append(f"{message.text} ({message.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
        page.on("request", lambda request: watched.urls.append(request.url))
        page.on("response", lambda r: r.status >= 400 and watched.refused.append((r.status, r.url)))
        await page.goto(url)
        return watched

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
def report(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Adds a line to the run's closing summary of measurements."""
    return pytestconfig.stash[MEASURED].append


@pytest.fixture
def measure(pytestconfig: pytest.Config) -> Measure:
    """Records a page's weight and first-chart time for the run's summary."""

    async def measure(name: str, page: Page) -> dict[str, float | None]:
        weight = await page_weight(page)
        chart = weight["first_chart_ms"]
        pytestconfig.stash[MEASURED].append(
            f"{name}: {weight['kb']:.1f} KB transferred in {weight['requests']:.0f} requests"
            + (f", first chart drawn at {chart:.0f} ms" if chart is not None else "")
        )
        return weight

    return measure
