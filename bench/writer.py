"""The writes of the mixed mode, and freshness, in one process of their own (so that neither costs
the benchmark's own event loop), until it is sent SIGTERM:

- steady writes: single task-grade POSTs at `rate` per second (an open loop: each is sent at its
  time whether or not the earlier ones were answered), spread over the API processes in turn, each
  a new grade (now) of a random enrolled student and task of a course that is not a probe course;
- freshness probes, one at a time, at most `probe_rate` per second: a fresh student's task grade
  and course-level grade in a probe course (bench.freshness), then every read they change polled
  on EVERY API process (each has its own port) until it shows them. A read's freshness is the time
  from the answer to its POST (the later of the two for a read that shows both) to the first
  answer that shows it. The polling interval, POLL_SECONDS and past 1 s a tenth of the wait,
  bounds the error; it is no finer so that the polling (every read on every process) stays a
  small part of the load it measures (`probe_requests` counts it).

    python -m bench.writer SPEC.json   (run by bench.run; prints one JSON line when stopped)
"""

import argparse
import asyncio
import json
import random
import signal
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.freshness import BOTH, COURSE, PROBE_READS, Probe, ProbeRead, probe_student_id, summarize
from bench.http_load import percentile

_MARK = "BENCH_JSON "
MAX_IN_FLIGHT = 64  # steady POSTs awaiting their answer; beyond it the writes fall behind their rate
GIVE_UP_SECONDS = 30.0  # a read not showing a probe by then counts as never visible
POLL_SECONDS = 0.1
HEADERS = {"Content-Type": "application/json"}


class Writer:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.urls: list[str] = list(spec["base_urls"])
        self.rate = float(spec["rate"])
        self.probe_rate = float(spec["probe_rate"])
        self.pairs: list[list[str]] = spec["pairs"]
        self.tasks: list[str] = spec["tasks"]
        self.free_courses: list[str] = list(spec["probe_courses"])
        self.stop = asyncio.Event()
        self.statuses: Counter[str] = Counter()
        self.post_latencies: list[float] = []
        self.sent = 0
        self.behind = 0  # POSTs sent late because MAX_IN_FLIGHT were awaiting answers
        self.probes = 0
        self.failed_probes = 0
        self.probe_requests = 0
        self.freshness: dict[str, list[float]] = defaultdict(list)  # read -> per probe, worst process
        self.by_process: dict[str, list[float]] = defaultdict(list)  # url -> per probe, worst read
        self.never_visible: Counter[str] = Counter()
        self.per_probe: list[float] = []
        self._sequence = 0

    async def run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        loop.add_signal_handler(signal.SIGINT, self.stop.set)
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
        probing = aiohttp.TCPConnector(limit=64)
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as posts,
            aiohttp.ClientSession(connector=probing, timeout=timeout) as reads,
        ):
            started = time.perf_counter()
            writing = asyncio.create_task(self._steady(posts))
            probing_task = asyncio.create_task(self._probes(reads))
            await self.stop.wait()
            seconds = time.perf_counter() - started
            await writing
            await probing_task
        return self._report(seconds)

    # steady writes

    async def _steady(self, session: aiohttp.ClientSession) -> None:
        if self.rate <= 0 or not self.pairs:
            return
        in_flight: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        while not self.stop.is_set():
            due = started + self.sent / self.rate
            wait = due - time.perf_counter()
            if wait > 0:
                try:
                    await asyncio.wait_for(self.stop.wait(), wait)
                    break
                except TimeoutError:
                    pass
            if len(in_flight) >= MAX_IN_FLIGHT:
                self.behind += 1
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            student, course = random.choice(self.pairs)
            url = self.urls[self.sent % len(self.urls)]
            post = asyncio.create_task(self._post_steady(session, url, student, course))
            in_flight.add(post)
            post.add_done_callback(in_flight.discard)
            self.sent += 1
        if in_flight:
            await asyncio.wait(in_flight)

    async def _post_steady(self, session: aiohttp.ClientSession, url: str, student: str, course: str) -> None:
        body = _grade(student, course, random.choice(self.tasks), random.randrange(101) / 10,
                      on_time=random.random() < 0.9)
        started = time.perf_counter()
        status = await _post(session, url + "/stats/student/task/grade", body)
        self.statuses[status] += 1
        if status == "200":
            self.post_latencies.append(time.perf_counter() - started)

    # freshness

    async def _probes(self, session: aiohttp.ClientSession) -> None:
        """One probe at a time, each in the next free probe course, at most probe_rate a second."""
        if self.probe_rate <= 0:
            return
        while not self.stop.is_set():
            started = time.perf_counter()
            course = self.free_courses.pop(random.randrange(len(self.free_courses)))
            await self._probe(session, course)
            rest = 1 / self.probe_rate - (time.perf_counter() - started)
            if rest > 0:
                try:
                    await asyncio.wait_for(self.stop.wait(), rest)
                except TimeoutError:
                    pass

    def _probe_student(self) -> str:
        self._sequence += 1
        return probe_student_id(int(time.time() * 1000), self._sequence)

    async def _probe(self, session: aiohttp.ClientSession, course: str) -> None:
        try:
            probe = Probe(self._probe_student(), course, random.choice(self.tasks))
            first = self.urls[0]
            baselines: dict[str, float] = {}
            for read in PROBE_READS:
                if read.baseline is not None:
                    status, body = await _get(session, first + read.path(probe))
                    if status != 200:
                        self.failed_probes += 1
                        return
                    baselines[read.name] = read.baseline(probe, body)
            task_at = await self._post_probe(session, probe, task=True)
            course_at = await self._post_probe(session, probe, task=False)
            if task_at is None or course_at is None:
                self.failed_probes += 1
                return
            self.probes += 1
            since = {BOTH: max(task_at, course_at), COURSE: course_at}
            waits = await asyncio.gather(*(
                self._until_shown(session, url, read, probe, baselines.get(read.name),
                                  since.get(read.after, task_at))
                for url in self.urls for read in PROBE_READS
            ))
            worst_read: dict[str, float] = {}
            worst_process: dict[str, float] = {}
            i = 0
            for url in self.urls:
                for read in PROBE_READS:
                    wait = waits[i]
                    i += 1
                    if wait is None:
                        self.never_visible[read.name] += 1
                        continue
                    worst_read[read.name] = max(worst_read.get(read.name, 0.0), wait)
                    worst_process[url] = max(worst_process.get(url, 0.0), wait)
            for name, wait in worst_read.items():
                self.freshness[name].append(wait)
            for url, wait in worst_process.items():
                self.by_process[url].append(wait)
            if len(worst_read) == len(PROBE_READS):
                self.per_probe.append(max(worst_read.values()))
        finally:
            self.free_courses.append(course)

    async def _post_probe(self, session: aiohttp.ClientSession, probe: Probe, *, task: bool) -> float | None:
        url = random.choice(self.urls)
        if task:
            body = _grade(probe.student, probe.course, probe.task, 0.0, on_time=False)
            path = "/stats/student/task/grade"
        else:
            body = _grade(probe.student, probe.course, None, 0.0, on_time=False)
            path = "/stats/student/grade"
        status = await _post(session, url + path, body)
        return time.perf_counter() if status == "200" else None

    async def _until_shown(
        self, session: aiohttp.ClientSession, url: str, read: ProbeRead, probe: Probe,
        baseline: float | None, since: float,
    ) -> float | None:
        """Seconds from `since` to the first answer of `read` on `url` that shows the probe."""
        address = url + read.path(probe)
        while (now := time.perf_counter()) < since + GIVE_UP_SECONDS:
            status, body = await _get(session, address)
            self.probe_requests += 1
            if read.shows(probe, body if status == 200 else None, baseline):
                return time.perf_counter() - since
            await asyncio.sleep(max(POLL_SECONDS, 0.1 * (now - since)))
        return None

    def _report(self, seconds: float) -> dict[str, Any]:
        latencies = sorted(self.post_latencies)
        accepted = self.statuses.get("200", 0)
        return {
            "seconds": round(seconds, 1),
            "api_processes": len(self.urls),
            "target_rate": self.rate,
            "sent": self.sent,
            "accepted": accepted,
            "accepted_rate": round(accepted / seconds, 1) if seconds else 0.0,
            "failed": self.sent - accepted,
            "statuses": dict(self.statuses),
            "behind": self.behind,
            "post_p50_ms": round(percentile(latencies, 50) * 1e3, 2),
            "post_p99_ms": round(percentile(latencies, 99) * 1e3, 2),
            "probes": self.probes,
            "failed_probes": self.failed_probes,
            "probe_requests": self.probe_requests,
            "probe_request_rate": round(self.probe_requests / seconds, 1) if seconds else 0.0,
            "freshness": summarize(self.per_probe),
            "freshness_by_read": {
                read.name: {**summarize(self.freshness[read.name]),
                            "never_visible": self.never_visible[read.name]}
                for read in PROBE_READS
            },
            "freshness_by_process": {
                f"api-{i}": summarize(self.by_process[url]) for i, url in enumerate(self.urls)
            },
            "never_visible": sum(self.never_visible.values()),
        }


def _grade(student: str, course: str, task: str | None, grade: float, *, on_time: bool) -> bytes:
    body: dict[str, object] = {
        "student_id": student, "course_id": course, "grade": grade, "on_time": on_time,
        "graded_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
        "event_id": str(uuid.uuid4()),
    }
    if task is not None:
        body["task_id"] = task
    return json.dumps(body).encode()


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> str:
    try:
        async with session.post(url, data=body, headers=HEADERS) as response:
            await response.read()
            return str(response.status)
    except (TimeoutError, aiohttp.ClientError) as e:
        return type(e).__name__


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    try:
        async with session.get(url) as response:
            if response.status != 200:
                await response.read()
                return response.status, None
            return 200, await response.json()
    except (TimeoutError, aiohttp.ClientError, ValueError):
        return 0, None


def main() -> None:
    parser = argparse.ArgumentParser(description="steady writes and freshness probes")
    parser.add_argument("spec", type=Path)
    args = parser.parse_args()
    report = asyncio.run(Writer(json.loads(args.spec.read_text())).run())
    print(_MARK + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
