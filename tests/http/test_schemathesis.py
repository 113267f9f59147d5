"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis): no input
may produce a 5xx, and every answer must match what the document says of it.

The service runs for real (aiohttp on a loopback port, in-memory storage, authentication on) in
a thread of its own; every generated request carries a valid admin token. The number of
examples per operation is bounded so that `make test` stays fast (STATS_FUZZ_EXAMPLES to change).
"""

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.openapi import openapi_document
from entrypoints.http.routes import all_endpoints
from entrypoints.settings import Settings
from tests.e2e.harness import free_port

SECRET = "a-fuzzing-secret-long-enough-for-hs256-0123456"
EXAMPLES = int(os.environ.get("STATS_FUZZ_EXAMPLES", "60"))
ADMIN = jwt.encode(
    {"sub": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "admin", "exp": 4102444800},
    SECRET,
    algorithm="HS256",
)
# Generated data that the schema allows may still break a rule no schema can say (a time more
# than 5 minutes ahead, a start_date after end_date): a 4xx for it is right, so positive data is
# not required to be accepted. Everything else schemathesis checks is kept.
CHECKED = [c for c in CHECKS.get_all() if c.__name__ != "positive_data_acceptance"]

schema = schemathesis.openapi.from_dict(openapi_document(all_endpoints()))


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    container = build_container(
        Settings(storage="memory", jwt_secret=SECRET, port=port, write_rate_limit=0)  # type: ignore[call-arg]
    )

    async def serve() -> None:
        from aiohttp import web

        runner = web.AppRunner(create_app(container), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    task = loop.create_task(serve())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    assert started.wait(10), "the API did not start"
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(task.cancel)
    time.sleep(0.2)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)
def test_the_api_never_fails_and_always_answers_as_documented(
    case: schemathesis.Case, base_url: str
) -> None:
    case.call_and_validate(
        base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"}, checks=CHECKED
    )
