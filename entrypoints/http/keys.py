"""What the app and each request carry, under typed keys (never as attributes)."""

import asyncio

from aiohttp import web

from application.ports import Clock
from entrypoints.container import Container, UseCases
from entrypoints.http.answer_cache import AnswerCache
from entrypoints.http.cors import Cors
from entrypoints.http.metrics import HttpMetrics
from entrypoints.limits import WriteGuard
from entrypoints.settings import Settings

CONTAINER = web.AppKey("container", Container)
SETTINGS = web.AppKey("settings", Settings)
USE_CASES = web.AppKey("use_cases", UseCases)
CLOCK = web.AppKey("clock", Clock)  # a write reads "now" from it once
METRICS = web.AppKey("metrics", HttpMetrics)
OPENAPI = web.AppKey("openapi", bytes)  # the document, serialised once
WITH_WORKER = web.AppKey("with_worker", bool)  # a worker runs in this process (`run`)
WRITE_GUARD = web.AppKey("write_guard", WriteGuard)
ANSWER_CACHE = web.AppKey("answer_cache", AnswerCache)
CORS = web.AppKey("cors", Cors)  # the origins allowed, for answers streamed by their handler
LIVE_STOPPING = web.AppKey("live_stopping", asyncio.Event)  # set on shutdown: streams end
