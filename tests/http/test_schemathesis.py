"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis), with
every check on: no input may produce a 5xx, every answer must match what the document says of
it, what the document allows must be accepted and what it forbids refused. The document and the
server agree.

The service runs for real (aiohttp on a loopback port, in-memory storage, authentication on) in
a thread of its own; every generated request carries a valid admin token. The examples are
derandomized (the same every run) and bounded in number so that `make test` stays fast
(STATS_FUZZ_EXAMPLES to change).
"""

import asyncio
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from bench.processes import free_port
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.openapi import openapi_document
from entrypoints.http.routes import all_endpoints
from entrypoints.settings import Settings

SECRET = "a-fuzzing-secret-long-enough-for-hs256-0123456"
EXAMPLES = int(os.environ.get("STATS_FUZZ_EXAMPLES", "60"))
ADMIN = jwt.encode(
    {"sub": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "admin", "exp": 4102444800},
    SECRET,
    algorithm="HS256",
)
schema = schemathesis.openapi.from_dict(openapi_document(all_endpoints()))
# Every check: loading an OpenAPI schema registers its own (before it, only not_a_server_error)
CHECKS_ALL = list(CHECKS.get_all())
assert len(CHECKS_ALL) > 10, CHECKS_ALL
[POSITIVE_DATA_ACCEPTANCE] = [c for c in CHECKS_ALL if c.__name__ == "positive_data_acceptance"]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    container = build_container(
        Settings(
            database={"storage": "memory"},
            auth={"jwt_secret": SECRET},
            # a live stream ends soon, so that the fuzzer reads each answer to its end
            http={"port": port, "live_stream_seconds": 0.2},
            limits={"write_rate_limit": 0},
        )
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


def breaks_a_rule_no_schema_states(case: schemathesis.Case) -> bool:
    """Whether the request breaks one of the few rules JSON Schema cannot say, which the server
    rightly refuses with a 4xx although the document allows each value on its own: a start_date
    after end_date, a cursor that no earlier page gave, a graded_at more than 5 minutes after
    now (or with no date in UTC's years 1-9999), an Idempotency-Key other than the body's
    event_id."""
    query = case.query or {}
    start, end = query.get("start_date"), query.get("end_date")
    if start and end and str(start) > str(end):
        return True
    if query.get("cursor"):
        return True
    body = case.body if isinstance(case.body, dict) else {}
    events = body.get("events") if isinstance(body.get("events"), list) else [body]
    if any(_unacceptable_moment(e) for e in events if isinstance(e, dict)):
        return True
    key = (case.headers or {}).get("Idempotency-Key")
    event_id = _key_id(str(body.get("event_id")))
    return key is not None and event_id is not None and _key_id(key) != event_id


def _unacceptable_moment(event: dict[str, Any]) -> bool:
    moment = event.get("graded_at") or event.get("created_at")
    if not isinstance(moment, str):
        return False
    try:
        at = datetime.fromisoformat(moment.upper())
        return at.astimezone(UTC) > datetime.now(UTC) + timedelta(minutes=4)
    except (ValueError, OverflowError):
        return True


def _key_id(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key.strip())
    except ValueError:
        return None  # mapped to another UUID (uuid5), never the body's own


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)
def test_the_api_never_fails_and_always_answers_as_documented(
    case: schemathesis.Case, base_url: str
) -> None:
    response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"})
    rule_broken = breaks_a_rule_no_schema_states(case) or reuses_an_earlier_key(response)
    case.validate_response(
        response,
        checks=CHECKS_ALL,
        excluded_checks=[POSITIVE_DATA_ACCEPTANCE] if rule_broken else [],
    )


def reuses_an_earlier_key(response: Any) -> bool:
    """A 422 naming event ids that an earlier example sent with another grade: a rule across
    requests, which no schema of one request can state (the ids are in the answer)."""
    if response.status_code != 422:
        return False
    body = response.json()
    return isinstance(body, dict) and bool(body.get("event_ids"))
