"""SIGTERM under load: the API stops accepting, finishes the requests it is handling, closes its
pools and exits; a worker releases what it holds. Every POST answered 200 is recorded.

To be sure requests are in flight at SIGTERM, Redis holds every write for a moment
(`CLIENT PAUSE ... WRITE`) just before it: the POSTs being handled wait in their XADD, and must
be answered 200 after SIGTERM rather than dropped. (A request whose body is still arriving at
SIGTERM cannot finish: aiohttp stops reading from connections when it shuts down.)
"""

import asyncio
import signal
import time
import uuid

import aiohttp
import pytest
import redis.asyncio as redis

from tests.e2e.conftest import Stack
from tests.e2e.harness import eventually
from tests.e2e.test_processes import BASE_TIME, course_grade_count, get

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
COURSE = "shutdown"
PAUSE_MS = 1500


class Load:
    """Clients posting distinct grades until told to stop; remembers each outcome."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base
        self.accepted: list[str] = []  # student ids whose POST got a 200
        self.accepted_at: list[float] = []
        self.unknown = 0  # sent, but no answer (the connection dropped): may or may not count
        self.refused = 0  # never sent: nothing listening
        self.stop = asyncio.Event()

    async def client(self) -> None:
        while not self.stop.is_set():
            student = str(uuid.uuid4())
            body = {"student_id": student, "course_id": COURSE, "grade": 5,
                    "graded_at": BASE_TIME.isoformat()}
            try:
                async with self.http.post(f"{self.base}/stats/student/grade", json=body) as r:
                    await r.read()
                    if r.status == 200:
                        self.accepted.append(student)
                        self.accepted_at.append(time.monotonic())
                    else:
                        assert r.status == 503, r.status
            except aiohttp.ClientConnectorError:
                self.refused += 1
                await asyncio.sleep(0.01)
            except (aiohttp.ClientError, TimeoutError):
                self.unknown += 1


async def test_sigterm_under_load_loses_no_accepted_event(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    base = await stack.api(http, STATS_SHUTDOWN_TIMEOUT="8")
    api = stack.services[-1]
    worker = stack.worker("worker-1", STATS_QUEUE_IDLE_TIMEOUT="2")
    load = Load(http, base)
    clients = [asyncio.create_task(load.client()) for _ in range(32)]
    await eventually(lambda: course_grade_count(http, base, COURSE), lambda n: n >= 200)

    admin = redis.from_url(stack.redis_url)
    try:
        await admin.execute_command("CLIENT", "PAUSE", PAUSE_MS, "WRITE")
        await asyncio.sleep(0.3)  # POSTs pile up in their XADD
        sigterm_at = time.monotonic()
        api.signal(signal.SIGTERM)
        worker.signal(signal.SIGTERM)
        assert await asyncio.to_thread(api.wait, 20) == 0
        assert await asyncio.to_thread(worker.wait, 20) == 0
    finally:
        await admin.execute_command("CLIENT", "UNPAUSE")
        await admin.aclose()
    load.stop.set()
    await asyncio.gather(*clients)
    finished_in_shutdown = sum(at > sigterm_at for at in load.accepted_at)
    print(f"accepted {len(load.accepted)} ({finished_in_shutdown} answered after SIGTERM), "
          f"unknown {load.unknown}, refused {load.refused}")
    assert finished_in_shutdown > 0, "requests in flight at SIGTERM must be answered"
    assert load.refused > 0, "the load must still have been running when the API stopped"
    assert '"message": "stopped"' in api.log(), api.log()[-2000:]  # cleanup ran to the end

    fresh = await stack.api(http)
    stack.worker("worker-2", STATS_QUEUE_IDLE_TIMEOUT="2")
    accepted = len(load.accepted)
    counted = await eventually(
        lambda: course_grade_count(http, fresh, COURSE), lambda n: n >= accepted, 60
    )
    assert counted <= accepted + load.unknown
    limit = asyncio.Semaphore(32)

    async def recorded(student: str) -> bool:
        async with limit:
            status, body = await get(http, fresh, f"student/{student}/course/{COURSE}")
            return status == 200 and body["average_grade"] == 5.0  # type: ignore[index]

    results = await asyncio.gather(*(recorded(s) for s in load.accepted))
    missing = [s for s, ok in zip(load.accepted, results, strict=True) if not ok]
    assert not missing, f"{len(missing)} of {accepted} accepted grades were not recorded"
