"""End-to-end ingest: single-event POSTs from many concurrent clients into a running API, recorded
by running workers, until every accepted grade is visible in the reads.

- `connections` clients POST for `duration` seconds. Each client grades fresh students (new
  UUIDs) enrolled in existing courses of the dataset: every task of the course once, and two
  course-level grades, as the platform would send them. The clients are `wrk` (see
  `bench.ingest_wrk`: it costs a fraction of the CPU of a Python client) when it is installed and
  `use_wrk` is not false, else Python aiohttp clients, which retry a failed POST with the same
  `event_id` (recording is idempotent), as the platform does; wrk does not retry (a POST it
  saw fail or never saw answered counts as failed).
- Freshness: a prober POSTs a first grade for a fresh student every 1/`probe_rate` s and polls
  the student's course summary (404 until the grade is recorded) until it answers 200. Freshness
  is the time from the POST's answer to the first read that shows it; the polling interval (10 ms, growing to 5% of the
  wait) bounds its error.
- After the POSTs, the consumer group of the stream is watched until nothing is pending or
  undelivered: then every accepted event has been committed.
- Nothing lost: for every fresh student, the summary's `assignments_completed` and the student
  average's `grade_count` must add up to the task and course grades accepted (answered 200) for them;
  `lost` adds up what is missing, student by student. More than accepted can be visible only
  for a POST whose answer the client never saw (`extra_visible`).

    python -m bench.ingest SPEC.json   (run by bench.run; prints one JSON line)
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from redis.asyncio import Redis

from adapters.queue.redis.inspection import queue_stats
from bench import ingest_wrk
from bench.http_load import percentile, split_connections, wrk_path

_MARK = "BENCH_JSON "


@dataclass
class IngestReport:
    connections: int
    post_seconds: float
    generator: str = "aiohttp"
    accepted_task_grades: int = 0
    accepted_course_grades: int = 0
    failed_posts: int = 0  # gave up after retries: may or may not have been queued
    statuses: dict[str, int] = field(default_factory=dict)
    post_p50_ms: float = 0.0
    post_p99_ms: float = 0.0
    backlog_at_end: int = 0  # queued, not yet recorded when the POSTs stopped
    drain_seconds: float = 0.0  # from the end of the POSTs until the backlog was recorded
    end_to_end_seconds: float = 0.0  # from the first POST until everything was recorded
    drained: bool = False
    probes: int = 0
    probes_never_visible: int = 0
    freshness_p50_ms: float = 0.0
    freshness_p99_ms: float = 0.0
    freshness_max_ms: float = 0.0
    visible_task_grades: int = 0
    visible_course_grades: int = 0
    dead_letters: int = 0
    lost: int = 0  # accepted (200) but not visible, added up student by student
    extra_visible: int = 0  # visible beyond the accepted POSTs seen: POSTs whose answer never came
    load_cpu_seconds: float = 0.0  # of this process and of wrk
    mismatches: list[dict[str, object]] = field(default_factory=list)  # a few, to look into

    @property
    def accepted(self) -> int:
        return self.accepted_task_grades + self.accepted_course_grades

    @property
    def accepted_rate(self) -> float:
        return self.accepted / self.post_seconds if self.post_seconds else 0.0

    @property
    def end_to_end_rate(self) -> float:
        return self.accepted / self.end_to_end_seconds if self.end_to_end_seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self), "accepted": self.accepted,
            "accepted_rate": round(self.accepted_rate, 1),
            "end_to_end_rate": round(self.end_to_end_rate, 1),
        }


@dataclass
class _Student:
    student_id: str
    course_id: str
    task_grades: int = 0
    course_grades: int = 0


class Ingest:
    def __init__(self, spec: dict[str, object]) -> None:
        # one URL per API process; the POSTs are spread over them evenly
        self.base_urls: list[str] = list(spec.get("base_urls") or [spec["base_url"]])  # type: ignore[call-overload]
        self.base_url = self.base_urls[0]
        self.courses: list[str] = list(spec["courses"])  # type: ignore[call-overload]
        self.tasks: list[str] = list(spec["tasks"])  # type: ignore[call-overload]
        self.connections = int(spec["connections"])  # type: ignore[call-overload]
        self.duration = float(spec["duration"])  # type: ignore[arg-type]
        self.probe_rate = float(spec.get("probe_rate", 10.0))  # type: ignore[arg-type]
        self.redis_url = str(spec["redis_url"])
        self.stream = str(spec["stream"])
        self.group = str(spec["group"])
        self.drain_timeout = float(spec.get("drain_timeout", 600.0))  # type: ignore[arg-type]
        self.threads = int(spec.get("threads", 1))  # type: ignore[call-overload]
        self.wrk = wrk_path() if spec.get("use_wrk", True) else None
        self._wrk_latency: tuple[float, float] | None = None
        self._posting_done = False
        self.students: list[_Student] = []
        self.report = IngestReport(self.connections, 0.0)
        self._statuses: Counter[str] = Counter()
        self._post_latencies: list[float] = []
        self._freshness: list[float] = []
        self._graded_at = datetime.now(UTC) - timedelta(days=1)

    async def run(self) -> IngestReport:
        timeout = aiohttp.ClientTimeout(total=30)
        posting = aiohttp.TCPConnector(limit=self.connections)
        probing = aiohttp.TCPConnector(limit=32)
        cpu_before = _cpu_seconds()
        async with (
            aiohttp.ClientSession(connector=posting, timeout=timeout) as posts,
            aiohttp.ClientSession(connector=probing, timeout=timeout) as probes,
        ):
            redis = Redis.from_url(self.redis_url)
            try:
                started = time.perf_counter()
                deadline = started + self.duration
                prober = asyncio.create_task(self._probe(probes, deadline))
                if self.wrk:
                    self.report.generator = "wrk"
                    drained = asyncio.create_task(self._wait_drained(redis, deadline))
                    await self._wrk_clients(self.wrk, deadline)
                else:
                    await asyncio.gather(*(
                        self._client(posts, deadline, self.base_urls[i % len(self.base_urls)])
                        for i in range(self.connections)
                    ))
                    self.report.post_seconds = time.perf_counter() - started
                    drained = asyncio.create_task(self._wait_drained(redis, time.perf_counter()))
                await prober
                self._posting_done = True
                drained_at = await drained
                self.report.drained = drained_at is not None
                finished = drained_at or time.perf_counter()
                self.report.end_to_end_seconds = finished - started
                self.report.drain_seconds = finished - started - self.report.post_seconds
                self.report.dead_letters = (await queue_stats(redis, self.stream)).dead_letters
            finally:
                await redis.aclose()
            await self._count_visible(probes)
        self.report.load_cpu_seconds = _cpu_seconds() - cpu_before
        self._finish()
        return self.report

    async def _wrk_clients(self, wrk: str, deadline: float) -> None:
        """POST from wrk until `deadline` (a time.perf_counter() reading): one wrk per API
        process, the connections split evenly between them."""
        shares = split_connections(self.connections, len(self.base_urls))
        results = await asyncio.gather(*(
            self._one_wrk(wrk, url, share, deadline)
            for url, share in zip(self.base_urls, shares, strict=True) if share
        ))
        self.report.post_seconds = self.duration
        answered = sum(r.posts_answered for _, r in results) or 1
        for tag, result in results:
            for s in result.students:
                self.students.append(_Student(
                    ingest_wrk.student_id(tag, s.thread, s.index),
                    ingest_wrk.course_of(self.courses, s.thread, s.index),
                    s.task_grades, s.course_grades,
                ))
            for status, count in result.statuses.items():
                self._statuses[status] += count
            accepted = sum(s.task_grades + s.course_grades for s in result.students)
            self._statuses["200"] += accepted
            self.report.failed_posts += result.posts_answered - accepted + result.unconfirmed
            if result.unconfirmed:
                self._statuses["unanswered"] += result.unconfirmed
        # p50: the mean of the wrks' weighted by their POSTs; p99: the slowest wrk's
        self._wrk_latency = (
            sum(r.p50_ms * r.posts_answered for _, r in results) / answered,
            max(r.p99_ms for _, r in results),
        )

    async def _one_wrk(
        self, wrk: str, base_url: str, connections: int, deadline: float
    ) -> tuple[str, ingest_wrk.WrkResult]:
        workdir = Path(tempfile.mkdtemp(prefix="ingest-wrk-"))
        out = workdir / "result.txt"
        tag = uuid.uuid4().hex[:8]
        stop_at = time.monotonic() + (deadline - time.perf_counter())
        script = workdir / "ingest.lua"
        script.write_text(ingest_wrk.lua_script(
            tag=tag, courses=self.courses, tasks=self.tasks, stop_at=stop_at,
            graded_day=self._graded_at.date().isoformat(), out=out,
        ))
        process = await asyncio.create_subprocess_exec(
            *ingest_wrk.command(
                wrk, base_url, script, threads=min(self.threads, connections),
                connections=connections, duration=self.duration,
            ),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        if not out.exists():
            raise RuntimeError(f"wrk failed ({process.returncode}): {err.decode()[-2000:]}")
        result = ingest_wrk.parse_result(out)
        shutil.rmtree(workdir, ignore_errors=True)
        return tag, result

    def _body(self, student: _Student, task: str | None) -> bytes:
        graded_at = self._graded_at + timedelta(seconds=random.randrange(3600))
        body: dict[str, object] = {
            "student_id": student.student_id, "course_id": student.course_id,
            "grade": random.randrange(101) / 10, "on_time": random.random() < 0.9,
            "graded_at": graded_at.isoformat(), "event_id": str(uuid.uuid4()),
        }
        if task is not None:
            body["task_id"] = task
        return json.dumps(body).encode()

    def _new_student(self) -> _Student:
        student = _Student(str(uuid.uuid4()), random.choice(self.courses))
        self.students.append(student)
        return student

    async def _post(
        self, session: aiohttp.ClientSession, student: _Student, task: str | None,
        base_url: str | None = None,
    ) -> float | None:
        """POST one grade (retrying the same event on failure); the time its answer (200) arrived."""
        path = "/stats/student/task/grade" if task is not None else "/stats/student/grade"
        body = self._body(student, task)
        headers = {"Content-Type": "application/json"}
        for _ in range(3):
            started = time.perf_counter()
            try:
                async with session.post((base_url or self.base_url) + path, data=body,
                                        headers=headers) as r:
                    await r.read()
                    status = str(r.status)
            except (TimeoutError, aiohttp.ClientError) as e:
                status = type(e).__name__
            now = time.perf_counter()
            self._statuses[status] += 1
            if status == "200":
                self._post_latencies.append(now - started)
                if task is None:
                    student.course_grades += 1
                else:
                    student.task_grades += 1
                return now
            if status.startswith("4"):
                break  # rejected: retrying would not help
            await asyncio.sleep(0.05)
        self.report.failed_posts += 1
        return None

    async def _client(self, session: aiohttp.ClientSession, deadline: float, base_url: str) -> None:
        half = len(self.tasks) // 2
        plan: list[str | None] = [*self.tasks[:half], None, *self.tasks[half:], None]
        while True:
            student = self._new_student()
            for task in plan:
                if time.perf_counter() >= deadline:
                    return
                await self._post(session, student, task, base_url)

    async def _probe(self, session: aiohttp.ClientSession, deadline: float) -> None:
        watching: set[asyncio.Task[None]] = set()
        while time.perf_counter() < deadline:
            watch = asyncio.create_task(self._one_probe(session))
            watching.add(watch)
            watch.add_done_callback(watching.discard)
            await asyncio.sleep(1 / self.probe_rate)
        await asyncio.gather(*watching)

    async def _one_probe(self, session: aiohttp.ClientSession) -> None:
        student = self._new_student()
        accepted = await self._post(session, student, self.tasks[0])
        if accepted is None:
            return
        self.report.probes += 1
        url = f"{self.base_url}/stats/student/{student.student_id}/course/{student.course_id}"
        give_up = accepted + self.drain_timeout
        while (now := time.perf_counter()) < give_up:
            try:
                async with session.get(url) as r:
                    await r.read()
                    if r.status == 200:
                        self._freshness.append(time.perf_counter() - accepted)
                        return
            except (TimeoutError, aiohttp.ClientError):
                pass
            await asyncio.sleep(max(0.01, 0.05 * (now - accepted)))
        self.report.probes_never_visible += 1

    async def _backlog(self, redis: Redis) -> int:
        stats = await queue_stats(redis, self.stream)
        for group in stats.groups:
            if group.name == self.group:
                return group.pending + (group.lag if group.lag is not None else stats.length)
        return stats.length

    async def _wait_drained(self, redis: Redis, posts_end: float) -> float | None:
        """When the backlog was last seen reaching 0 for good: watched from `posts_end` until
        the POSTs are answered and it is 0 with nothing queued since (the stream's last id)."""
        await asyncio.sleep(max(0.0, posts_end - time.perf_counter()))
        self.report.backlog_at_end = await self._backlog(redis)
        give_up = time.perf_counter() + self.drain_timeout
        drained_at: float | None = None
        last_id = None
        while time.perf_counter() < give_up:
            info = await redis.xinfo_stream(self.stream) if await redis.exists(self.stream) else {}
            newest = info.get("last-generated-id")
            if await self._backlog(redis) == 0:
                if drained_at is None or newest != last_id:
                    drained_at = time.perf_counter()
                last_id = newest
                if self._posting_done:
                    return drained_at
            else:
                drained_at = None
            await asyncio.sleep(0.02)
        return None

    async def _count_visible(self, session: aiohttp.ClientSession) -> None:
        queue: asyncio.Queue[_Student] = asyncio.Queue()
        for student in self.students:
            queue.put_nowait(student)

        async def fetch(path: str, key: str) -> int:
            async with session.get(self.base_url + path) as r:
                if r.status == 404:
                    return 0
                r.raise_for_status()
                return int((await r.json())[key])

        async def check() -> None:
            while not queue.empty():
                s = queue.get_nowait()
                tasks = await fetch(
                    f"/stats/student/{s.student_id}/course/{s.course_id}", "assignments_completed"
                )
                courses = await fetch(f"/stats/student/{s.student_id}/average", "grade_count")
                self.report.visible_task_grades += tasks
                self.report.visible_course_grades += courses
                self.report.lost += max(0, s.task_grades - tasks) + max(
                    0, s.course_grades - courses
                )
                self.report.extra_visible += max(0, tasks - s.task_grades) + max(
                    0, courses - s.course_grades
                )
                mismatch = (tasks, courses) != (s.task_grades, s.course_grades)
                if mismatch and len(self.report.mismatches) < 5:
                    self.report.mismatches.append({
                        **asdict(s), "visible_task_grades": tasks,
                        "visible_course_grades": courses,
                    })

        await asyncio.gather(*(check() for _ in range(32)))

    def _finish(self) -> None:
        report = self.report
        report.accepted_task_grades = sum(s.task_grades for s in self.students)
        report.accepted_course_grades = sum(s.course_grades for s in self.students)
        report.statuses = dict(self._statuses)
        posts = sorted(self._post_latencies)
        report.post_p50_ms = percentile(posts, 50) * 1e3
        report.post_p99_ms = percentile(posts, 99) * 1e3
        if self._wrk_latency is not None:  # wrk's own (the prober's POSTs are a few)
            report.post_p50_ms, report.post_p99_ms = self._wrk_latency
        fresh = sorted(self._freshness)
        report.freshness_p50_ms = percentile(fresh, 50) * 1e3
        report.freshness_p99_ms = percentile(fresh, 99) * 1e3
        report.freshness_max_ms = (fresh[-1] if fresh else 0.0) * 1e3


def _cpu_seconds() -> float:
    """CPU of this process and of its finished children (wrk)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description="end-to-end single-event ingest")
    parser.add_argument("spec", type=Path)
    args = parser.parse_args()
    report = asyncio.run(Ingest(json.loads(args.spec.read_text())).run())
    print(_MARK + json.dumps(report.as_dict()), flush=True)


if __name__ == "__main__":
    main()
