"""The front door: what `/stats` is, where its docs are, which version answers.

`GET /stats` (and `/stats/`) is the URL the service prints at start-up, so it answers with a
small page of links for a person and the same links as JSON for a program
(`Accept: application/json`).
"""

from dataclasses import dataclass
from html import escape
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from entrypoints.http.access import Access
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.openapi import TITLE

endpoints = Endpoints(tag="operations")

PACKAGE = "classconnect-stats"
# (key, path, what a person finds there), in the order the page lists them.
LINKS = (
    ("console", "/stats/ui/", "The web console: courses and students, charted"),
    ("docs", "/stats/docs", "Interactive API docs"),
    ("openapi", "/stats/openapi.json", "The OpenAPI 3.1 document"),
    ("health", "/stats/health", "Liveness: the process answers"),
    ("ready", "/stats/ready", "Readiness: PostgreSQL and Redis answer"),
    ("metrics", "/metrics", "Prometheus metrics"),
    ("version", "/stats/version", "Which version answers"),
)


def service_version() -> str:
    try:
        return version(PACKAGE)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


@dataclass(frozen=True, slots=True)
class Version:
    service: str
    version: str


@dataclass(frozen=True, slots=True)
class FrontDoor(Version):
    links: dict[str, str]


FRONT_DOOR = {
    "access": Access.PUBLIC,
    "summary": "The front door: links to the docs, the API document, health, readiness, metrics",
    "description": "An HTML page of links, or the same links as JSON for "
    "`Accept: application/json`.",
    "reply": Reply(FrontDoor, also=("text/html",)),
}


@endpoints.get("/stats", **FRONT_DOOR)
async def front_door(request: web.Request) -> FrontDoor | web.Response:
    if _wants_json(request):
        return FrontDoor(PACKAGE, service_version(), {key: path for key, path, _ in LINKS})
    return web.Response(text=_page(service_version()), content_type="text/html")


@endpoints.get("/stats/", **FRONT_DOOR)
async def front_door_slash(request: web.Request) -> FrontDoor | web.Response:
    return await front_door(request)


@endpoints.get(
    "/stats/version",
    access=Access.PUBLIC,
    summary="The service's name and version",
    reply=Reply(Version),
)
async def service_version_view(request: web.Request) -> Version:
    return Version(PACKAGE, service_version())


def _wants_json(request: web.Request) -> bool:
    """JSON when the client ranks it above HTML (a browser sends text/html first)."""
    ranked: dict[str, float] = {}
    for item in request.headers.get("Accept", "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked[media.lower()] = max(quality, ranked.get(media.lower(), 0.0))
    json_rank = max(ranked.get("application/json", 0.0), ranked.get("application/*", 0.0) / 2)
    html_rank = max(ranked.get("text/html", 0.0), ranked.get("text/*", 0.0) / 2)
    return json_rank > html_rank


def _page(release: str) -> str:
    items = "\n".join(
        f'    <li><a href="{path}">{escape(label)}</a> <code>{path}</code></li>'
        for _, path, label in LINKS
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(TITLE)}</title>
  <style>
    body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 40rem;
           padding: 1rem; color: #1a1a1a; background: #fff; }}
    h1 {{ font-size: 1.5rem; margin-bottom: 0.25rem; }}
    p {{ margin-top: 0; color: #444; }}
    ul {{ padding-left: 1.2rem; }}
    li {{ margin: 0.4rem 0; }}
    a {{ color: #0645ad; }}
    code {{ color: #555; overflow-wrap: anywhere; }}
  </style>
</head>
<body>
  <main>
    <h1>{escape(TITLE)}</h1>
    <p>Grade statistics for courses, tasks and students. Version {escape(release)}.</p>
    <ul>
{items}
    </ul>
  </main>
</body>
</html>
"""
