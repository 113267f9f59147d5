"""The benchmark, end to end: `make bench ARGS="..."` or `python -m bench ...` (from a checkout).

1. Load each dataset size (`--scales`, default 10k and `--task-grades`) into a fresh database
   `ccstats_bench_*` (created and dropped here) through the bulk write path.
2. Start `--api-processes` API processes (`classconnect-stats serve`, each on a port of its own)
   and `--workers` workers on the largest dataset.
3. Mixed run: the ceiling (as many bare aiohttp handlers as API processes) is measured; then,
   while grades arrive at `--write-rate` single POSTs per second and freshness probes check that
   every read shows a new grade on every API process (bench.writer), every read endpoint is
   loaded at `--connections` (throughput) and at `--p99-connections` (latency); then the
   ceiling once more.
4. A/B: every read alternately on the smallest and the largest dataset (API processes on each),
   in short rounds, the order swapped every round, so that the machine's drift cancels out.
5. Ingest: single POSTs as fast as `--connections` clients go, end to end.
Memory is the largest RSS of each process over the run. Prints one table with a verdict on
each target (bench.report) and writes it, with every figure behind it, as JSON (`--json-out`).
"""

import argparse
import asyncio
import json
import os
import platform
import shlex
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis

from bench import load as loading
from bench.cache_counts import cache_counts, served
from bench.dataset import Dataset, DatasetShape, scaled_shape, with_size
from bench.freshness import probe_courses
from bench.http_load import (
    ANALYTICS_ENDPOINTS,
    HEALTH,
    READ_ENDPOINTS,
    Endpoint,
    LoadResult,
    Targets,
    chain_results,
    run_split_load,
    wrk_path,
)
from bench.metrics import Sampler, Usage
from bench.processes import ROOT, Group, Process, ceilings, service, services
from bench.report import _short, table, targets

WARM_UP_SECONDS = 2.0
MAX_TARGET_PAIRS = 10_000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = p.add_argument_group("dataset (the largest size; smaller ones scale from it)")
    size.add_argument("--task-grades", type=int, default=10_000_000)
    size.add_argument("--course-grades", type=int, help="default: a tenth of the task grades")
    size.add_argument("--courses", type=int, help="default: 2,000 per 10M task grades")
    size.add_argument("--students", type=int, help="default: 100,000 per 10M task grades")
    size.add_argument("--tasks-per-course", type=int, default=20)
    size.add_argument("--seed", type=int, default=1)
    size.add_argument(
        "--scales", type=_sizes, help="task-grade counts of the datasets to load, comma-separated: the "
        "largest is the main dataset, the A/B compares it with the smallest (default: 10000 and "
        "--task-grades)",
    )
    size.add_argument(
        "--batch-size", type=int,
        help="events per batch (default: bulk_load's own; 5,000 on the record path)",
    )
    run = p.add_argument_group("measurement")
    run.add_argument("--api-processes", type=int, default=2,
                     help="API processes (each `serve` on a port of its own); the ceiling runs as "
                     "many bare handlers")
    run.add_argument("--workers", type=int, default=2, help="worker processes")
    run.add_argument("--connections", type=int, default=64)
    run.add_argument("--duration", type=float, default=10.0,
                     help="seconds per read endpoint at --connections")
    run.add_argument("--p99-connections", type=int, default=16)
    run.add_argument("--p99-duration", type=float, default=5.0,
                     help="seconds per read endpoint at --p99-connections")
    run.add_argument("--write-rate", type=float, default=200.0,
                     help="single grade POSTs per second during the reads (mixed mode)")
    run.add_argument("--probe-rate", type=float, default=1.0,
                     help="freshness probes started per second during the reads")
    run.add_argument("--ab-rounds", type=int, default=3,
                     help="rounds of the interleaved comparison of the smallest and largest "
                     "datasets (each round: one run on each, the order alternating)")
    run.add_argument("--ab-duration", type=float, default=3.0, help="seconds per A/B run")
    run.add_argument("--ingest-duration", type=float, default=30.0, help="seconds of POSTs")
    run.add_argument("--wrk-threads", type=int, default=1)
    run.add_argument("--no-wrk", action="store_true", help="use the built-in aiohttp client")
    run.add_argument("--skip-mixed", action="store_true", help="no mixed run (reads + writes)")
    run.add_argument("--skip-ab", action="store_true", help="no interleaved A/B comparison")
    run.add_argument("--skip-ingest", action="store_true")
    env = p.add_argument_group("services")
    env.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "STATS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a server where the benchmark may create and drop databases",
    )
    env.add_argument(
        "--redis-url", default=os.environ.get("STATS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    env.add_argument(
        "--skip-load", action="store_true",
        help="measure an already loaded database (--database-url), loaded with the same size "
        "flags and seed: the read targets are regenerated from them",
    )
    env.add_argument("--database-url", help="with --skip-load: the database to measure")
    env.add_argument("--keep-database", action="store_true", help="do not drop what was loaded")
    out = p.add_argument_group("output")
    out.add_argument("--json-out", type=Path, default=ROOT / "bench-results" / "latest.json")
    return p


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of task-grade counts") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive counts")
    return sizes


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.skip_load and not args.database_url:
        sys.exit("--skip-load measures an existing database: give it with --database-url")
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    asyncio.run(Bench(args, command.strip()).run())


def shapes(args: argparse.Namespace) -> list[DatasetShape]:
    sizes: list[int] = args.scales or []
    largest = sizes[-1] if sizes else args.task_grades
    main_shape = scaled_shape(
        largest, course_grades=args.course_grades, courses=args.courses,
        students=args.students, tasks_per_course=args.tasks_per_course, seed=args.seed,
    )
    if args.skip_load:
        return [main_shape]
    if not sizes:
        sizes = sorted({min(10_000, largest), largest})
    return [with_size(main_shape, size) for size in sizes]


class Bench:
    def __init__(self, args: argparse.Namespace, command: str) -> None:
        self.args = args
        self.command = command
        self.run_id = uuid.uuid4().hex[:8]
        self.out_dir: Path = args.json_out.parent
        # The services' logs (the API's access log: hundreds of MB at the default size).
        self.log_dir = Path(tempfile.gettempdir()) / f"ccstats-bench-{self.run_id}"
        self.sampler = Sampler(args.postgres_url)
        self.use_wrk = not args.no_wrk and wrk_path() is not None
        self.phases: dict[str, float] = {}
        self.results: dict[str, Any] = {}
        self.memory: dict[str, float] = {}  # process label -> max RSS (MiB) over the run
        self.namespaces: list[str] = []

    async def run(self) -> None:
        started = time.monotonic()
        if not self.args.no_wrk and not self.use_wrk:
            _say("wrk is not installed (Debian: apt-get install wrk); using the built-in "
                 "aiohttp load generator, which saturates before the API does")
        args = self.args
        self.results = {
            "command": self.command,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": await self._machine(),
            "settings": {
                "api_processes": args.api_processes, "workers": args.workers,
                "connections": args.connections, "duration_s": args.duration,
                "p99_connections": args.p99_connections, "p99_duration_s": args.p99_duration,
                "write_rate": args.write_rate, "probe_rate": args.probe_rate,
                "ab_rounds": args.ab_rounds, "ab_duration_s": args.ab_duration,
                "ingest_duration_s": args.ingest_duration,
                "load_generator": "wrk" if self.use_wrk else "aiohttp (built-in)",
            },
            "scales": [],
        }
        created: list[str] = []
        try:
            urls = []
            for shape in shapes(args):
                name, url = await self._database(shape)
                if name:
                    created.append(name)
                scale: dict[str, Any] = {"shape": asdict(shape), "database": url}
                if not args.skip_load:
                    scale["load"] = await self._load(shape, url)
                self.results["scales"].append(scale)
                urls.append(url)
            await self._measure_all(urls)
        finally:
            await self._clean_redis()
            for name in created:
                if args.keep_database:
                    _say(f"kept database {name}")
                else:
                    await self._drop(name)
        self.results["memory"] = {k: round(v, 1) for k, v in sorted(self.memory.items())}
        self.results["phases_s"] = {k: round(v, 1) for k, v in self.phases.items()}
        self.results["total_s"] = round(time.monotonic() - started, 1)
        self.results["targets"] = targets(self.results)
        text = table(self.results)
        print(text)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps({**self.results, "table": text}, indent=2) + "\n")
        _say(f"written: {args.json_out}; the services' logs are in {self.log_dir}")

    async def _measure_all(self, urls: list[str]) -> None:
        """The mixed run, the A/B comparison and the ingest, on one set of API processes and
        workers on the largest dataset (and, for the A/B, API processes on the smallest)."""
        args = self.args
        main_shape = DatasetShape(**self.results["scales"][-1]["shape"])
        env = self._service_env(urls[-1], "main")
        api = services("api", args.api_processes, env, self.log_dir)
        workers = [service(f"worker-{i}", ["worker"], env, self.log_dir)
                   for i in range(args.workers)]
        try:
            await api.wait_healthy(HEALTH.template)
            for i, process in enumerate(api.processes):
                self.sampler.watch("api", process.pid, f"api-{i}")
            for i, worker in enumerate(workers):
                self.sampler.watch("worker", worker.pid, f"worker-{i}")
            await self._wait_consumers(workers)
            self.sampler.database = _database_name(urls[-1])
            if not args.skip_mixed:
                with self._phase("mixed"):
                    self.results["mixed"] = await self._mixed(api, main_shape)
            if not args.skip_ab and len(urls) > 1:
                with self._phase("a/b"):
                    self.results["ab"] = await self._ab(urls[0], api, main_shape)
            if not args.skip_ingest:
                with self._phase("ingest"):
                    self.results["ingest"] = await self._ingest(api, main_shape)
        finally:
            api.stop()
            for worker in workers:
                worker.stop()

    async def _load(self, shape: DatasetShape, url: str) -> dict[str, Any]:
        label = f"{shape.task_grades:,}"
        _say(f"dataset {label}: {shape.describe()}")
        with self._phase(f"load {label}"):
            report = await loading.load(
                url, Dataset(shape), batch_size=self.args.batch_size, label=f"loading {label}",
            )
        _say(f"  loaded with {report.method}: {report.events:,} grades in "
             f"{report.seconds:.1f} s = {report.rate:,.0f}/s (waiting "
             f"{report.generation_seconds:.1f} s for the generator); vacuum analyze "
             f"{report.analyze_seconds:.1f} s; database {report.database_bytes / 2**20:,.0f} MiB")
        return {**asdict(report), "rate": round(report.rate, 1),
                "database_rate": round(report.database_rate, 1)}

    def _phase(self, name: str) -> "_Phase":
        return _Phase(self.phases, name)

    async def _machine(self) -> dict[str, Any]:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
             .splitlines() if line.startswith("model name")), platform.processor(),
        )
        admin = await asyncpg.connect(self.args.postgres_url)
        try:
            postgres = await admin.fetchval("SHOW server_version")
        finally:
            await admin.close()
        redis = Redis.from_url(self.args.redis_url)
        try:
            redis_version = (await redis.info("server"))["redis_version"]
        finally:
            await redis.aclose()
        wrk = None
        if self.use_wrk:
            version = await asyncio.create_subprocess_exec(
                str(wrk_path()), "-v", stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await version.communicate()
            wrk = out.decode().split("Copyright")[0].strip()
        memory_kb = next(
            int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        return {
            "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "postgres": postgres, "redis": redis_version, "wrk": wrk,
        }

    async def _load_on(
        self, urls: list[str], endpoint: Endpoint, targets: Targets, connections: int,
        duration: float, *, measured: bool = True,
    ) -> tuple[LoadResult, Usage | None]:
        common: dict[str, Any] = {
            "connections": connections, "workdir": self.log_dir / "load",
            "threads": self.args.wrk_threads, "use_wrk": self.use_wrk,
        }
        if not measured:
            return await run_split_load(urls, endpoint, targets, duration=duration, **common), None
        async with self.sampler.measure() as usage:
            result = await run_split_load(
                urls, endpoint, targets, duration=duration,
                on_start=lambda pid: self.sampler.watch("load", pid), **common,
            )
        self._remember(usage)
        return result, usage

    def _remember(self, usage: Usage) -> None:
        for label, rss in usage.max_rss_mb.items():
            self.memory[label] = max(self.memory.get(label, 0.0), rss)

    async def _read(self, urls: list[str], endpoint: Endpoint, targets: Targets) -> dict[str, Any]:
        """One read at --connections (throughput) and --p99-connections (latency)."""
        args = self.args
        await self._load_on(urls, endpoint, targets, args.connections, WARM_UP_SECONDS,
                             measured=False)
        kept = endpoint is not HEALTH  # health is never kept: what its run counts is the probes'
        before = await cache_counts(urls) if kept else None
        result, usage = await self._load_on(urls, endpoint, targets, args.connections,
                                            args.duration)
        cache = served(before, await cache_counts(urls)) if kept else None
        low, _ = await self._load_on(urls, endpoint, targets, args.p99_connections,
                                     args.p99_duration)
        assert usage is not None
        _say(f"  {endpoint.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 "
             f"{result.p99_ms:.2f} ms, errors {result.errors}; at {args.p99_connections} "
             f"connections p99 {low.p99_ms:.2f} ms; cpu {usage.summary()}")
        return {
            "path": endpoint.template, **result.as_dict(), "usage": _usage(usage),
            "low": low.as_dict(), "cache": cache,
        }

    async def _ceiling(self, targets: Targets) -> dict[str, Any]:
        group = ceilings(self.args.api_processes, self.log_dir)
        try:
            await group.wait_healthy(HEALTH.template)
            for process in group.processes:
                self.sampler.watch("api", process.pid, "ceiling")
            _say(f"ceiling ({self.args.api_processes} bare aiohttp JSON handlers):")
            return await self._read(group.urls, Endpoint("ceiling", HEALTH.template), targets)
        finally:
            group.stop()
            for process in group.processes:
                self.sampler.forget(process.pid)

    async def _mixed(self, api: Group, shape: DatasetShape) -> dict[str, Any]:
        """Every read while grades arrive at --write-rate, freshness probed meanwhile; the
        ceiling measured before and after."""
        args = self.args
        targets = self._targets(shape)
        nothing = Targets([("-", "-")], ["-"])
        result: dict[str, Any] = {"ceiling_before": await self._ceiling(nothing)}
        writer = await self._start_writer(api, shape)
        _say(f"mixed: every read with {args.write_rate:.0f} grades/s arriving, "
             f"{args.api_processes} API processes, {args.workers} workers")
        try:
            result["reads"] = {}
            for endpoint in (HEALTH, *READ_ENDPOINTS, *ANALYTICS_ENDPOINTS):
                result["reads"][endpoint.name] = await self._read(api.urls, endpoint, targets)
        finally:
            result["writes"] = await self._stop_writer(writer)
        result["ceiling_after"] = await self._ceiling(nothing)
        before, after = result["ceiling_before"]["rps"], result["ceiling_after"]["rps"]
        result["ceiling_rps"] = round((before + after) / 2, 1)
        w = result["writes"]
        _say(f"  writes: {w['accepted']:,} accepted ({w['accepted_rate']:,.0f}/s of "
             f"{w['target_rate']:,.0f}), failed {w['failed']}; freshness over {w['probes']} "
             f"probes p50 {w['freshness']['p50_ms']:.0f} ms, p99 {w['freshness']['p99_ms']:.0f} "
             f"ms, never visible {w['never_visible']}; ceiling {before:,.0f} then {after:,.0f}")
        return result

    async def _start_writer(self, api: Group, shape: DatasetShape) -> asyncio.subprocess.Process:
        dataset = Dataset(shape)
        courses = [dataset.course_id(i) for i in range(shape.courses)]
        probe, steady = probe_courses(courses)
        steady_set = set(steady)
        per_course = max(1, MAX_TARGET_PAIRS // shape.courses)
        pairs = [[str(s), c] for s, c in dataset.enrolments(per_course) if c in steady_set]
        spec = self.log_dir / "writer.json"
        spec.write_text(json.dumps({
            "base_urls": api.urls, "rate": self.args.write_rate,
            "probe_rate": self.args.probe_rate, "pairs": pairs,
            "tasks": list(dataset.task_ids), "probe_courses": probe,
        }))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.writer", str(spec), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        self.sampler.watch("writes", process.pid)
        await asyncio.sleep(WARM_UP_SECONDS)  # the first writes and probes under way
        return process

    async def _stop_writer(self, process: asyncio.subprocess.Process) -> dict[str, Any]:
        if process.returncode is None:
            process.terminate()
        out, err = await process.communicate()
        self.sampler.forget(process.pid)
        for line in out.decode().splitlines():
            if line.startswith("BENCH_JSON "):
                report: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
                return report
        raise RuntimeError(f"the writer failed ({process.returncode}): {err.decode()[-3000:]}")

    async def _ab(self, small_url: str, api: Group, shape: DatasetShape) -> dict[str, Any]:
        """Each read alternately on the smallest and the largest dataset, --ab-rounds rounds of
        --ab-duration s on each, the order swapped every round, so that the machine's drift
        falls on both alike. No writes meanwhile."""
        args = self.args
        small_shape = DatasetShape(**self.results["scales"][0]["shape"])
        small_api = services("api-small", args.api_processes,
                             self._service_env(small_url, "small"), self.log_dir)
        sides = {"small": (small_api, self._targets(small_shape)),
                 "large": (api, self._targets(shape))}
        try:
            await small_api.wait_healthy(HEALTH.template)
            for i, process in enumerate(small_api.processes):
                self.sampler.watch("api", process.pid, f"api-small-{i}")
            _say(f"a/b: {_short(small_shape.task_grades)} vs {_short(shape.task_grades)}, "
                 f"{args.ab_rounds} rounds of {args.ab_duration:.0f} s each")
            reads: dict[str, Any] = {}
            for endpoint in (HEALTH, *READ_ENDPOINTS, *ANALYTICS_ENDPOINTS):
                runs: dict[str, list[LoadResult]] = {"small": [], "large": []}
                for side in sides.values():
                    await self._load_on(side[0].urls, endpoint, side[1], args.connections,
                                        WARM_UP_SECONDS, measured=False)
                for order in ab_order(args.ab_rounds):
                    for name in order:
                        group, targets = sides[name]
                        result, _ = await self._load_on(group.urls, endpoint, targets,
                                                        args.connections, args.ab_duration)
                        runs[name].append(result)
                small, large = chain_results(runs["small"]), chain_results(runs["large"])
                reads[endpoint.name] = {
                    "small": small.as_dict(), "large": large.as_dict(),
                    "rps_ratio": round(large.rps / small.rps, 3) if small.rps else None,
                    "p99_ratio": round(large.p99_ms / small.p99_ms, 3) if small.p99_ms else None,
                    "rounds": {k: [r.rps for r in v] for k, v in runs.items()},
                }
                r = reads[endpoint.name]
                _say(f"  {endpoint.name}: {small.rps:,.0f} vs {large.rps:,.0f} req/s "
                     f"(x{r['rps_ratio']}), p99 {small.p99_ms:.2f} vs {large.p99_ms:.2f} ms "
                     f"(x{r['p99_ratio']})")
            return {"small": small_shape.task_grades, "large": shape.task_grades, "reads": reads}
        finally:
            small_api.stop()
            for process in small_api.processes:
                self.sampler.forget(process.pid)

    def _service_env(self, database_url: str, name: str) -> dict[str, str]:
        namespace = f"ccstats-bench-{self.run_id}-{name}"
        self.namespaces.append(namespace)
        return {
            "STATS_DATABASE_URL": database_url,
            "STATS_REDIS_URL": self.args.redis_url,
            "STATS_QUEUE_NAME": f"{namespace}:events",
            "STATS_CONSUMER_GROUP": f"{namespace}-workers",
            # every POST comes from this one address: a per-client limit would measure itself
            "STATS_WRITE_RATE_LIMIT": "0",
        }

    def _targets(self, shape: DatasetShape) -> Targets:
        dataset = Dataset(shape)
        per_course = max(1, MAX_TARGET_PAIRS // shape.courses)
        pairs = [(str(s), c) for s, c in dataset.enrolments(per_course)]
        return Targets(pairs, dataset.task_ids)

    async def _ingest(self, api: Group, shape: DatasetShape) -> dict[str, Any]:
        args = self.args
        namespace = self.namespaces[0]
        spec = self.log_dir / "ingest.json"
        dataset = Dataset(shape)
        spec.write_text(json.dumps({
            "base_urls": api.urls, "connections": args.connections,
            "duration": args.ingest_duration,
            "courses": [dataset.course_id(i) for i in range(shape.courses)],
            "tasks": list(dataset.task_ids), "redis_url": args.redis_url,
            "stream": f"{namespace}:events", "group": f"{namespace}-workers",
            "use_wrk": self.use_wrk, "threads": args.wrk_threads,
        }))
        _say(f"ingest: {args.connections} clients POSTing for {args.ingest_duration:.0f} s to "
             f"{len(api.urls)} API process(es), {args.workers} worker(s)")
        async with self.sampler.measure() as usage:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.ingest", str(spec), cwd=ROOT,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            self.sampler.watch("load", process.pid)
            out, err = await process.communicate()
        self._remember(usage)
        lines = [line for line in out.decode().splitlines() if line.startswith("BENCH_JSON ")]
        if not lines:
            raise RuntimeError(f"ingest failed: {err.decode()[-3000:]}")
        report = json.loads(lines[-1].removeprefix("BENCH_JSON "))
        # wrk runs as a child of bench.ingest, which reports the CPU of both
        load_percent = report.get("load_cpu_seconds", 0.0) / max(usage.seconds, 1e-9) * 100
        usage.cpu_percent["load"] = max(usage.cpu_percent.get("load", 0.0), load_percent)
        _say(f"  accepted {report['accepted']:,} ({report['accepted_rate']:,.0f}/s), "
             f"end to end {report['end_to_end_rate']:,.0f}/s, freshness p50 "
             f"{report['freshness_p50_ms']:.0f} ms p99 {report['freshness_p99_ms']:.0f} ms, "
             f"lost {report['lost']}; cpu {usage.summary()}")
        return {**report, "usage": _usage(usage)}

    async def _wait_consumers(self, workers: list[Process]) -> None:
        """Until every worker says it is consuming (its log), or 20 s. Events published before
        wait in the stream anyway; this only keeps start-up out of the freshness figures."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for worker in workers:
                if not worker.running():
                    raise RuntimeError(f"{worker.name} exited:\n{worker.tail()}")
            if all("consuming" in worker.tail(100_000) for worker in workers):
                return
            await asyncio.sleep(0.2)
        _say("  the workers did not log that they are consuming within 20 s; going on")

    async def _database(self, shape: DatasetShape) -> tuple[str | None, str]:
        if self.args.skip_load:
            return None, self.args.database_url
        name = f"ccstats_bench_{self.run_id}_{shape.task_grades}"
        admin = await asyncpg.connect(self.args.postgres_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        base, _, _ = self.args.postgres_url.rpartition("/")
        return name, f"{base}/{name}"

    async def _drop(self, name: str) -> None:
        admin = await asyncpg.connect(self.args.postgres_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    async def _clean_redis(self) -> None:
        redis = Redis.from_url(self.args.redis_url)
        try:
            for namespace in self.namespaces:
                keys = [k async for k in redis.scan_iter(match=f"{namespace}*", count=1000)]
                if keys:
                    await redis.delete(*keys)
        finally:
            await redis.aclose()


def ab_order(rounds: int) -> list[tuple[str, str]]:
    """The order of the two datasets in each round: small first, then large first, and so on,
    so that a steady drift of the machine's speed weighs on both alike."""
    return [("small", "large") if i % 2 == 0 else ("large", "small") for i in range(rounds)]


def _database_name(url: str) -> str:
    return url.rpartition("/")[2].split("?")[0]


class _Phase:
    def __init__(self, phases: dict[str, float], name: str) -> None:
        self.phases = phases
        self.name = name

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.phases[self.name] = time.monotonic() - self.started


def _usage(usage: Usage) -> dict[str, Any]:
    return {**asdict(usage), "other_percent": round(usage.other_percent, 1)}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
