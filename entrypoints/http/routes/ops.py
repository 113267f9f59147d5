"""Operating the service: liveness, readiness, metrics, the queue, the API's own description."""

import asyncio
import hmac
from dataclasses import asdict, dataclass
from typing import Literal

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import TypeAdapter

from application.ports.queue import QueueReset, QueueStats
from entrypoints.http import docs
from entrypoints.http.access import Access
from entrypoints.http.dependencies import database_pool, queue_inspector
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.keys import METRICS, OPENAPI, SETTINGS, WITH_WORKER
from entrypoints.http.openapi import TITLE
from entrypoints.http.problems import problem
from entrypoints.http.readiness import NotReady, Readiness, check_dependencies, queue_report
from entrypoints.worker import metrics as worker_metrics

endpoints = Endpoints(tag="operations")


@dataclass(frozen=True, slots=True)
class Health:
    status: Literal["OK"]


@endpoints.get(
    "/stats/health",
    access=Access.PUBLIC,
    summary="Liveness: the process answers (checks nothing else)",
    reply=Reply(Health),
)
async def health(request: web.Request) -> Health:
    return Health("OK")


@endpoints.get(
    "/stats/ready",
    access=Access.PUBLIC,
    summary="Readiness: PostgreSQL and Redis answer within STATS_READY_TIMEOUT",
    description="Only the dependencies this process uses are checked. 503 names what failed.",
    reply=Reply(Readiness),
    errors={503: NotReady},
)
async def ready(request: web.Request) -> Readiness | web.Response:
    checks, queue = await asyncio.gather(
        check_dependencies(request.app), queue_report(request.app)
    )
    failing = sorted(name for name, check in checks.items() if check.status != "ok")
    if failing:
        reset = queue.reset and TypeAdapter(QueueReset).dump_python(queue.reset, mode="json")
        return problem(
            503,
            f"Not ready: {', '.join(failing)} failing",
            extensions={
                "checks": {name: asdict(c) for name, c in checks.items()},
                "queue_durability": queue.durability,
                "queue_reset": reset,
            },
            **{"Retry-After": "1"},
        )
    return Readiness("ready", checks, queue.durability, queue.reset)


@endpoints.get(
    "/stats/admin/queue",
    access=Access.ADMIN,
    summary="The event queue for operators: depth, pending, lag, consumers, dead letters",
    description="An operator endpoint: the same report as `classconnect-stats queue --json`. "
    "404 when events are recorded in-process (no Redis queue).",
    reply=Reply(QueueStats),
    errors=(404, 503),
)
async def admin_queue(request: web.Request) -> QueueStats | web.Response:
    queue = queue_inspector(request.app)
    if queue is None:
        return problem(404, "This service has no Redis queue: events are recorded in-process")
    return await queue.stats()


@endpoints.get(
    "/metrics",
    access=Access.PUBLIC,
    summary="Prometheus metrics",
    description="Public unless STATS_METRICS_TOKEN is set; then send "
    "`Authorization: Bearer <token>`.",
    reply=Reply(media_type=CONTENT_TYPE_LATEST.split(";")[0], description="Prometheus text"),
    errors=(401,),
)
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    settings = app[SETTINGS]
    if settings.http.metrics_token and not _bearer_matches(request, settings.http.metrics_token):
        return problem(401, "Send Authorization: Bearer <STATS_METRICS_TOKEN>",
                       **{"WWW-Authenticate": 'Bearer realm="metrics"'})
    collected = app[METRICS]
    await collected.refresh_gauges(
        queue=queue_inspector(app), stream=settings.queue.stream, pool=database_pool(app),
        timeout=settings.http.ready_timeout,
    )
    extra = (worker_metrics.REGISTRY,) if app[WITH_WORKER] else ()
    return web.Response(body=collected.exposition(*extra), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _bearer_matches(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@endpoints.get(
    "/stats/openapi.json",
    access=Access.PUBLIC,
    summary="This API's OpenAPI 3.1 description",
    reply=Reply(description="The OpenAPI document"),
)
async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=request.app[OPENAPI], content_type="application/json")


@endpoints.get(
    "/stats/docs",
    access=Access.PUBLIC,
    summary="Interactive API docs (Swagger UI, served by this service)",
    reply=Reply(media_type="text/html", description="An HTML page"),
)
async def api_docs(request: web.Request) -> web.Response:
    return web.Response(text=docs.page(TITLE), content_type="text/html")
