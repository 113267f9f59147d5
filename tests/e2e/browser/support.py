"""What the console's browser tests share: where Chromium is, the tokens, a watched page, and
the checks every page passes (axe-core, the 360 px layout, page weight)."""

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from entrypoints.auth.principal import Role
from entrypoints.auth.tokens import issue_token
from tests.e2e.browser import seed
from tests.e2e.conftest import Stack

ROOT = Path(__file__).resolve().parents[3]
SECRET = "console-browser-tests-secret-long-enough-for-hs256"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
MISSING = ("CHROMIUM IS NOT INSTALLED: the web console's browser tests were SKIPPED "
           "(as root: apt-get install chromium; or set STATS_TEST_CHROMIUM to its path)")
NARROW = 360  # px: a small phone
TOKEN_KEY = "classconnect-stats.token"  # the page's sessionStorage key

SELECTED = pytest.StashKey[int]()  # browser tests selected in this run
MEASURED = pytest.StashKey[list[str]]()  # page weights, printed at the end of the run


def chromium_path() -> str | None:
    given = os.environ.get("STATS_TEST_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshots_dir() -> Path:
    path = Path(os.environ.get("STATS_TEST_SCREENSHOTS_DIR", ROOT / "var" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def token(role: Role, subject: uuid.UUID | None = None, courses: tuple[str, ...] = ()) -> str:
    return issue_token(SECRET, subject=subject or uuid.uuid4(), role=role, courses=courses)


@dataclass
class Console:
    """A running API and worker with the seeded grades, and tokens for each kind of reader."""

    base: str
    http: aiohttp.ClientSession
    stack: Stack  # the API is its first service
    admin: str = field(default_factory=lambda: token(Role.ADMIN))
    teacher: str = field(default_factory=lambda: token(Role.TEACHER, courses=(seed.COURSE,)))
    student: str = field(default_factory=lambda: token(Role.STUDENT, seed.ME))

    async def get(self, path: str, as_token: str | None = None) -> Any:
        """An API answer, as the page should show it."""
        headers = {"Authorization": f"Bearer {as_token or self.admin}"}
        async with self.http.get(f"{self.base}{path}", headers=headers) as reply:
            assert reply.status == 200, await reply.text()
            return await reply.json()


@dataclass
class Watched:
    """A page and what went wrong in it: console errors, uncaught exceptions, refused calls."""

    page: Page
    errors: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # every URL the page requested

    def unexpected_errors(self, refusals: frozenset[int] | set[int] = frozenset()) -> list[str]:
        """Console errors but the browser's own line for each API call answered with one of
        `refusals` (the page then explains the refusal itself)."""
        allowed = {f"the server responded with a status of {status}" for status in refusals}
        return [e for e in self.errors if not any(a in e for a in allowed)]


async def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def scroll_width(page: Page) -> int:
    return int(await page.evaluate("document.scrollingElement.scrollWidth"))


async def page_weight(page: Page) -> dict[str, float | None]:
    """Bytes transferred for the page and everything it loaded, and the first chart's time
    (the `first-chart` mark the page sets), from the browser's Performance API."""
    return dict(await page.evaluate("""() => {
        const entries = [...performance.getEntriesByType("navigation"),
                         ...performance.getEntriesByType("resource")];
        const chart = performance.getEntriesByName("first-chart")[0];
        return {
            kb: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0) / 1024,
            requests: entries.length,
            first_chart_ms: chart ? chart.startTime : null,
        };
    }"""))


async def screenshot(page: Page, name: str) -> Path:
    path = screenshots_dir() / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
