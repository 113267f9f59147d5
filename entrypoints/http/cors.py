"""CORS for the ClassConnect web front: only origins on the allow-list (`STATS_CORS_ORIGINS`)
get the headers that let a browser read answers; preflight requests are answered here. The
request middleware (middleware.py) applies it to every answer."""

from collections.abc import Iterable

from aiohttp import web
from multidict import CIMultiDict

ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
EXPOSED_HEADERS = "X-Request-ID, Retry-After, WWW-Authenticate"


class Cors:
    def __init__(self, origins: Iterable[str]) -> None:
        self.allowed = frozenset(o.rstrip("/") for o in origins)

    def origin_of(self, request: web.Request) -> str | None:
        """The request's Origin when it is allowed, else None (no CORS headers)."""
        if not self.allowed:
            return None
        origin = request.headers.get("Origin")
        return origin if origin in self.allowed else None

    @staticmethod
    def is_preflight(request: web.Request) -> bool:
        return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers

    @staticmethod
    def preflight(origin: str) -> web.Response:
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )

    @staticmethod
    def add_headers(headers: CIMultiDict[str], origin: str) -> None:
        """What lets the browser of `origin` read an answer with these headers."""
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        headers.add("Vary", "Origin")  # beside a Vary the answer has already
