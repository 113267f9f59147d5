"""The web console under /stats/ui/: HTML pages (`pages`), their scripts and styles (`static/`).

The pages hold no data: each loads its figures in the browser from the JSON API, with the
caller's token (kept in the tab's sessionStorage and sent as the Authorization header), so a
page shows exactly what the API lets that token read. Charts are drawn by Chart.js and its
box-plot plugin, copied from the npm registry into `static/vendor/` by
`scripts/vendor-console-assets` (see docs/console.md): nothing is fetched from the internet.
"""

from pathlib import Path

from aiohttp import web

STATIC_URL = "/stats/ui/static"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def add_static(app: web.Application) -> None:
    """The scripts, styles and charting library; a browser that accepts gzip gets the
    library's committed .gz copy."""
    app.router.add_static(STATIC_URL, STATIC_DIR, name="console-static")
