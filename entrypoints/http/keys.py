"""What the app and each request carry, under typed keys (never as attributes)."""

from aiohttp import web
from redis.asyncio import Redis

from entrypoints.container import Container, UseCases
from entrypoints.http.metrics import HttpMetrics
from entrypoints.settings import Settings

CONTAINER = web.AppKey("container", Container)
SETTINGS = web.AppKey("settings", Settings)
USE_CASES = web.AppKey("use_cases", UseCases)
METRICS = web.AppKey("metrics", HttpMetrics)
OPENAPI = web.AppKey("openapi", bytes)  # the document, serialised once
WITH_WORKER = web.AppKey("with_worker", bool)  # a worker runs in this process (`run`)
# A Redis client for probes (readiness, queue inspection, metrics) with short timeouts, apart
# from the broker's connections; None when the service has no Redis queue.
PROBE_REDIS = web.AppKey("probe_redis", Redis)
REQUEST_ID = web.RequestKey("request_id", str)
