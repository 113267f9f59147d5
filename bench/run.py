"""The benchmark, end to end: `make bench ARGS="..."` or `python -m bench ...` (from a checkout).

For each dataset size (`--scales`, smallest first) in a fresh database `ccstats_bench_*` (created
and dropped here), with its own Redis stream:
1. load the dataset through the bulk write path (progress on stderr);
2. start the API (`classconnect-stats serve`) and measure every read endpoint, under
   `--connections` concurrent connections for `--duration` seconds each, after a warm-up;
3. at the largest size, start the worker(s) and measure end-to-end single-event ingest.
The ceiling (a bare aiohttp JSON handler) is measured once, the same way. Prints one table and
writes it, with every figure behind it, as JSON (`--json-out`).
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
from bench.dataset import Dataset, DatasetShape, scaled_shape, with_size
from bench.http_load import (
    ANALYTICS_ENDPOINTS,
    HEALTH,
    READ_ENDPOINTS,
    Endpoint,
    LoadResult,
    Targets,
    run_load,
    wrk_path,
)
from bench.metrics import Sampler, Usage
from bench.processes import ROOT, Process, ceiling, free_port, service, wait_healthy

READ_RPS_TARGET = 5_000
READ_P99_TARGET_MS = 10.0
CEILING_SHARE_TARGET = 0.15
SCALE_RATIO_TARGET = 1.5
INGEST_RATE_TARGET = 5_000
FRESHNESS_P99_TARGET_MS = 1_000.0
BULK_RATE_TARGET = 100_000
API_RSS_TARGET_MB = 150.0
WORKER_RSS_TARGET_MB = 250.0
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
        "--scales", type=_sizes, help="task-grade counts to measure reads at, comma-separated; the largest is "
        "the main dataset (default: 10000 and --task-grades)",
    )
    size.add_argument(
        "--batch-size", type=int,
        help="events per batch (default: bulk_load's own; 5,000 on the record path)",
    )
    run = p.add_argument_group("measurement")
    run.add_argument("--duration", type=float, default=10.0, help="seconds per read endpoint")
    run.add_argument("--ingest-duration", type=float, default=30.0, help="seconds of POSTs")
    run.add_argument("--connections", type=int, default=64)
    run.add_argument("--workers", type=int, default=1, help="worker processes for the ingest")
    run.add_argument("--wrk-threads", type=int, default=1)
    run.add_argument("--no-wrk", action="store_true", help="use the built-in aiohttp client")
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
        self.namespace = f"ccstats-bench-{self.run_id}"
        self.out_dir: Path = args.json_out.parent
        # The services' logs (the API's access log: hundreds of MB at the default size).
        self.log_dir = Path(tempfile.gettempdir()) / f"ccstats-bench-{self.run_id}"
        self.sampler = Sampler(args.postgres_url)
        self.use_wrk = not args.no_wrk and wrk_path() is not None
        self.phases: dict[str, float] = {}
        self.results: dict[str, Any] = {}

    async def run(self) -> None:
        started = time.monotonic()
        if not self.args.no_wrk and not self.use_wrk:
            _say("wrk is not installed (Debian: apt-get install wrk); using the built-in "
                 "aiohttp load generator, which saturates before the API does")
        self.results = {
            "command": self.command,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": await self._machine(),
            "settings": {
                "connections": self.args.connections, "duration_s": self.args.duration,
                "ingest_duration_s": self.args.ingest_duration, "workers": self.args.workers,
                "load_generator": "wrk" if self.use_wrk else "aiohttp (built-in)",
            },
            "scales": [],
        }
        try:
            with self._phase("ceiling"):
                self.results["ceiling"] = await self._ceiling()
            all_shapes = shapes(self.args)
            for shape in all_shapes:
                main_scale = shape is all_shapes[-1]
                self.results["scales"].append(await self._scale(shape, main_scale))
        finally:
            await self._clean_redis()
        self.results["phases_s"] = {k: round(v, 1) for k, v in self.phases.items()}
        self.results["total_s"] = round(time.monotonic() - started, 1)
        self.results["targets"] = targets(self.results)
        text = table(self.results)
        print(text)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.args.json_out.write_text(json.dumps({**self.results, "table": text}, indent=2) + "\n")
        _say(f"written: {self.args.json_out}; the services' logs are in {self.log_dir}")

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

    async def _measure(
        self, base_url: str, endpoint: Endpoint, targets: Targets, server_pid: int, role: str
    ) -> dict[str, Any]:
        workdir = self.log_dir / "load"
        common: dict[str, Any] = {
            "connections": self.args.connections, "workdir": workdir,
            "threads": self.args.wrk_threads, "use_wrk": self.use_wrk,
        }
        await run_load(base_url, endpoint, targets, duration=WARM_UP_SECONDS, **common)
        self.sampler.watch(role, server_pid)
        async with self.sampler.measure() as usage:
            result: LoadResult = await run_load(
                base_url, endpoint, targets, duration=self.args.duration,
                on_start=lambda pid: self.sampler.watch("load", pid), **common,
            )
        _say(f"  {endpoint.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
             f"p99 {result.p99_ms:.2f} ms, errors {result.errors}; cpu {usage.summary()}")
        return {"path": endpoint.template, **result.as_dict(), "usage": _usage(usage)}

    async def _ceiling(self) -> dict[str, Any]:
        port = free_port()
        process = ceiling(port, self.log_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_healthy(process, base + HEALTH.template)
            _say("ceiling (bare aiohttp JSON handler):")
            return await self._measure(
                base, Endpoint("ceiling", HEALTH.template), Targets([("-", "-")], ["-"]),
                process.pid, "api",
            )
        finally:
            process.stop()

    async def _scale(self, shape: DatasetShape, main_scale: bool) -> dict[str, Any]:
        label = f"{shape.task_grades:,}"
        _say(f"dataset {label}: {shape.describe()}")
        result: dict[str, Any] = {"shape": asdict(shape), "main": main_scale}
        database, url = await self._database(shape)
        self.sampler.database = url.rpartition("/")[2].split("?")[0]
        try:
            if not self.args.skip_load:
                with self._phase(f"load {label}"):
                    report = await loading.load(
                        url, Dataset(shape), batch_size=self.args.batch_size,
                        label=f"loading {label}",
                    )
                result["load"] = {
                    **asdict(report), "rate": round(report.rate, 1),
                    "database_rate": round(report.database_rate, 1),
                }
                _say(f"  loaded with {report.method}: {report.events:,} grades in "
                     f"{report.seconds:.1f} s = {report.rate:,.0f}/s (waiting "
                     f"{report.generation_seconds:.1f} s for the generator); vacuum analyze "
                     f"{report.analyze_seconds:.1f} s; database {report.database_bytes / 2**20:,.0f} MiB")
            env = self._service_env(url)
            port = free_port()
            api = service(f"api-{shape.task_grades}", ["serve", "--port", str(port)], env,
                          self.log_dir)
            try:
                base = f"http://127.0.0.1:{port}"
                await wait_healthy(api, base + HEALTH.template)
                targets = self._targets(shape)
                with self._phase(f"reads {label}"):
                    result["reads"] = {}
                    for endpoint in (HEALTH, *READ_ENDPOINTS, *ANALYTICS_ENDPOINTS):
                        result["reads"][endpoint.name] = await self._measure(
                            base, endpoint, targets, api.pid, "api"
                        )
                if main_scale and not self.args.skip_ingest:
                    with self._phase("ingest"):
                        result["ingest"] = await self._ingest(base, api, env, shape)
            finally:
                api.stop()
                self.sampler.forget(api.pid)
        finally:
            if database and not self.args.keep_database:
                await self._drop(database)
            elif database:
                _say(f"  kept database {url}")
        return result

    def _service_env(self, database_url: str) -> dict[str, str]:
        return {
            "STATS_DATABASE_URL": database_url,
            "STATS_REDIS_URL": self.args.redis_url,
            "STATS_QUEUE_NAME": f"{self.namespace}:events",
            "STATS_CONSUMER_GROUP": f"{self.namespace}-workers",
            # every POST comes from this one address: a per-client limit would measure itself
            "STATS_WRITE_RATE_LIMIT": "0",
        }

    def _targets(self, shape: DatasetShape) -> Targets:
        dataset = Dataset(shape)
        per_course = max(1, MAX_TARGET_PAIRS // shape.courses)
        pairs = [(str(s), c) for s, c in dataset.enrolments(per_course)]
        return Targets(pairs, dataset.task_ids)

    async def _ingest(
        self, base: str, api: Process, env: dict[str, str], shape: DatasetShape
    ) -> dict[str, Any]:
        workers = [
            service(f"worker-{i}", ["worker"], env, self.log_dir) for i in range(self.args.workers)
        ]
        try:
            await self._wait_consumers(len(workers), workers)
            spec = self.log_dir / "ingest.json"
            dataset = Dataset(shape)
            spec.write_text(json.dumps({
                "base_url": base, "connections": self.args.connections,
                "duration": self.args.ingest_duration,
                "courses": [dataset.course_id(i) for i in range(shape.courses)],
                "tasks": list(dataset.task_ids), "redis_url": self.args.redis_url,
                "stream": f"{self.namespace}:events", "group": f"{self.namespace}-workers",
                "use_wrk": self.use_wrk, "threads": self.args.wrk_threads,
            }))
            self.sampler.watch("api", api.pid)
            for worker in workers:
                self.sampler.watch("worker", worker.pid)
            _say(f"ingest: {self.args.connections} clients POSTing for "
                 f"{self.args.ingest_duration:.0f} s, {len(workers)} worker(s)")
            async with self.sampler.measure() as usage:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bench.ingest", str(spec), cwd=ROOT,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                )
                self.sampler.watch("load", process.pid)
                out, err = await process.communicate()
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
        finally:
            for worker in workers:
                worker.stop()
                self.sampler.forget(worker.pid)

    async def _wait_consumers(self, count: int, workers: list[Process]) -> None:
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
            keys = [k async for k in redis.scan_iter(match=f"{self.namespace}*", count=1000)]
            if keys:
                await redis.delete(*keys)
        finally:
            await redis.aclose()


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


# The verdicts and the table.


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target of issue 4: met or not, with the figure it was judged on."""
    verdicts: dict[str, Any] = {}
    ceiling_rps = results["ceiling"]["rps"]
    scales = results["scales"]
    main = scales[-1]
    small = scales[0] if len(scales) > 1 else None
    for name, read in main.get("reads", {}).items():
        if name == HEALTH.name:
            continue
        misses = []
        if read["rps"] < READ_RPS_TARGET:
            misses.append("req/s")
        if read["p99_ms"] > READ_P99_TARGET_MS:
            misses.append("p99")
        if read["errors"]:
            misses.append("errors")
        verdict: dict[str, Any] = {
            "met": not misses, "misses": misses,
            "ceiling_share": round(read["rps"] / ceiling_rps, 3) if ceiling_rps else None,
        }
        verdict["ceiling_share_met"] = (verdict["ceiling_share"] or 0) >= CEILING_SHARE_TARGET
        if small:
            before = small["reads"][name]
            p50 = read["p50_ms"] / before["p50_ms"] if before["p50_ms"] else None
            p99 = read["p99_ms"] / before["p99_ms"] if before["p99_ms"] else None
            verdict["scale_ratio_p50"] = None if p50 is None else round(p50, 2)
            verdict["scale_ratio_p99"] = None if p99 is None else round(p99, 2)
            verdict["scale_met"] = p50 is not None and p99 is not None and max(p50, p99) <= SCALE_RATIO_TARGET
        verdicts[name] = verdict
    if "ingest" in main:
        ingest = main["ingest"]
        misses = []
        if ingest["end_to_end_rate"] < INGEST_RATE_TARGET:
            misses.append("grades/s")
        if ingest["freshness_p99_ms"] > FRESHNESS_P99_TARGET_MS or ingest["probes_never_visible"]:
            misses.append("freshness")
        if ingest["lost"] or ingest["failed_posts"] or not ingest["drained"]:
            misses.append("lost")
        verdicts["ingest"] = {"met": not misses, "misses": misses}
    if "load" in main:
        verdicts["bulk load"] = {"met": main["load"]["rate"] >= BULK_RATE_TARGET}
    api_rss = max(_rss(scale, "api") for scale in scales)
    worker_rss = _rss(main, "worker")
    verdicts["memory"] = {
        "api_max_rss_mb": round(api_rss, 1), "worker_max_rss_mb": round(worker_rss, 1),
        "met": api_rss <= API_RSS_TARGET_MB and worker_rss <= WORKER_RSS_TARGET_MB,
    }
    return verdicts


def _rss(scale: dict[str, Any], role: str) -> float:
    usages = [read["usage"] for read in scale.get("reads", {}).values()]
    if "ingest" in scale:
        usages.append(scale["ingest"]["usage"])
    return max((u["max_rss_mb"].get(role, 0.0) for u in usages), default=0.0)


def _cpu(usage: dict[str, Any], roles: tuple[str, ...]) -> str:
    cpu = usage["cpu_percent"]
    other = usage["machine_busy_percent"] * usage["cores"] - sum(cpu.values())
    shown = [f"{role} {cpu[role]:.0f}" for role in roles if role in cpu]
    return " ".join([*shown, f"other {max(0.0, other):.0f}"])


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


def table(results: dict[str, Any]) -> str:
    scales = results["scales"]
    main = scales[-1]
    small = scales[0] if len(scales) > 1 else None
    verdicts = results["targets"]
    ceiling = results["ceiling"]
    ratio_head = (
        f"{_short(main['shape']['task_grades'])}/{_short(small['shape']['task_grades'])} p50,p99"
        if small else "scale ratio"
    )
    rows: list[list[str]] = []
    read_roles = ("api", "postgres", "load")
    rows.append([
        "ceiling: bare aiohttp handler", f"{ceiling['rps']:,.0f} req/s",
        f"{ceiling['p50_ms']:.2f}", f"{ceiling['p99_ms']:.2f}", "100%", "",
        _cpu(ceiling["usage"], read_roles), "",
    ])
    for name, read in main.get("reads", {}).items():
        verdict = verdicts.get(name)
        ratio = ""
        if small:
            before = small["reads"][name]
            ratio = (f"{read['p50_ms'] / before['p50_ms']:.2f}, {read['p99_ms'] / before['p99_ms']:.2f}"
                     if before["p50_ms"] and before["p99_ms"] else "")
        target = ""
        if verdict:
            target = _yes(verdict["met"]) + (f" ({', '.join(verdict['misses'])})" if verdict["misses"] else "")
            # the yardstick that travels between machines: a share of this run's ceiling
            target += f"; {CEILING_SHARE_TARGET:.0%} of ceiling " + _yes(verdict["ceiling_share_met"])
            if small:
                target += "; scale " + _yes(verdict["scale_met"])
        errors = f" ({read['errors']} errors)" if read["errors"] else ""
        rows.append([
            f"GET {name}", f"{read['rps']:,.0f} req/s{errors}", f"{read['p50_ms']:.2f}",
            f"{read['p99_ms']:.2f}", f"{read['rps'] / ceiling['rps']:.1%}", ratio,
            _cpu(read["usage"], read_roles), target,
        ])
    if "ingest" in main:
        i = main["ingest"]
        verdict = verdicts["ingest"]
        rows.append([
            f"ingest: {i['connections']} clients, single POSTs",
            f"{i['end_to_end_rate']:,.0f} grades/s end to end",
            f"{i['freshness_p50_ms']:.0f}", f"{i['freshness_p99_ms']:.0f}", "", "",
            _cpu(i["usage"], ("api", "worker", "postgres", "redis", "load")),
            _yes(verdict["met"]) + (f" ({', '.join(verdict['misses'])})" if verdict["misses"] else ""),
        ])
        rows.append([
            "  of which accepted (POST 200)", f"{i['accepted_rate']:,.0f} grades/s",
            f"{i['post_p50_ms']:.1f}", f"{i['post_p99_ms']:.1f}", "", "", "",
            f"{i['accepted']:,} accepted, {i['lost']:,} lost, {i['failed_posts']} failed",
        ])
    for scale in scales:
        if "load" in scale:
            load = scale["load"]
            met = verdicts["bulk load"]["met"] if scale is main else None
            rows.append([
                f"bulk load {_short(scale['shape']['task_grades'])} ({load['method']})",
                f"{load['rate']:,.0f} grades/s", "", "", "", "",
                f"{load['events']:,} in {load['seconds']:.0f} s",
                "" if met is None else _yes(met),
            ])
    memory = verdicts["memory"]
    rows.append([
        "memory: max RSS",
        f"API {memory['api_max_rss_mb']:.0f} MB, worker {memory['worker_max_rss_mb']:.0f} MB",
        "", "", "", "", "", _yes(memory["met"]),
    ])
    head = ["measurement", "result", "p50 ms", "p99 ms", "of ceiling", ratio_head,
            "CPU % of a core", "target met"]
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(len(head))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, ["-" * w for w in widths], *rows]]
    machine = results["machine"]
    shape = main["shape"]
    settings = results["settings"]
    intro = [
        f"ClassConnect Stats benchmark, {results['started_at']}",
        (
            f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
            f"Python {machine['python']}, PostgreSQL {machine['postgres']}, "
            f"Redis {machine['redis']}"
        ),
        f"dataset: {DatasetShape(**shape).describe()}",
        f"reads: {settings['connections']} connections, {settings['duration_s']:.0f} s per "
        f"endpoint after a {WARM_UP_SECONDS:.0f} s warm-up, load generator "
        f"{machine['wrk'] or settings['load_generator']}; freshness in the p50/p99 columns "
        f"of the ingest row; phases (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in results.get("phases_s", {}).items()),
        f"command: {results['command']}",
        "",
    ]
    return "\n".join(intro + lines)


def _short(n: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return f"{n:,}"


if __name__ == "__main__":
    main()
