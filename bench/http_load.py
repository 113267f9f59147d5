"""Read load: `wrk` (Debian's package) when it is installed, otherwise a built-in aiohttp client.

Either way the load generator is a process of its own, so its CPU is not the API's, and every
request picks a random (student, course) pair of the dataset, and a random task, so requests hit
many keys rather than one cached row. A request that does not answer 2xx counts as an error.

The built-in client: python -m bench.http_load SPEC.json --connections 64 --duration 10
"""

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MARK = "BENCH_JSON "


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    template: str  # with {student}, {course} and {task} placeholders


READ_ENDPOINTS = (
    Endpoint("student course summary", "/stats/student/{student}/course/{course}"),
    Endpoint("student average", "/stats/student/{student}/average?group_by=month"),
    Endpoint("course average", "/stats/course/{course}/average?group_by=month"),
    Endpoint(
        "student task comparison", "/stats/student/{student}/course/{course}/task/average"
    ),
    Endpoint("task averages", "/stats/course/{course}/task/{task}/averages"),
    Endpoint("course on-time", "/stats/course/{course}/on_time_percentage?group_by=week"),
    Endpoint(
        "student on-time", "/stats/course/{course}/student/{student}/on_time_percentage"
    ),
)
# The course-wide analytics of issue 5, held to the same targets ("keep every new read within the
# same performance targets"); the CSV export is a download, not a dashboard read, and is left out.
ANALYTICS_ENDPOINTS = (
    Endpoint("course task spreads", "/stats/course/{course}/tasks"),
    Endpoint("course standings (50)", "/stats/course/{course}/students?limit=50"),
    Endpoint("course distribution", "/stats/course/{course}/distribution"),
    Endpoint("course at-risk", "/stats/course/{course}/at_risk"),
    Endpoint("student's courses", "/stats/student/{student}/courses"),
)
HEALTH = Endpoint("health (no database)", "/stats/health")
# The latency percentiles a load reports, fine enough near the tail that the loads of several
# generators (one per API process) can be merged into the percentiles of all their requests.
PERCENTILE_GRID = (
    *range(1, 100), *(99 + tenth / 10 for tenth in range(1, 10)), 99.99, 100,
)


@dataclass(frozen=True, slots=True)
class Targets:
    """Existing ids to put in the paths: (student, course) pairs and task ids."""

    pairs: Sequence[tuple[str, str]]
    tasks: Sequence[str]


@dataclass(frozen=True, slots=True)
class LoadResult:
    generator: str  # "wrk" or "aiohttp"
    requests: int
    seconds: float
    errors: int  # non-2xx answers, failed connections, timeouts
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    # latency (ms) at each PERCENTILE_GRID point, for merging; empty when not known
    percentiles: Sequence[float] = field(default=(), repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        fields = asdict(self)
        del fields["percentiles"]
        return {**fields, "rps": round(self.rps, 1)}


def merge_results(parts: Sequence[LoadResult]) -> LoadResult:
    """The loads of generators that ran side by side (one per API process) as one load: requests
    and errors add up over the longest of their times, and each latency percentile is that of all
    their requests together, from their percentile grids (each part weighted by its requests)."""
    if len(parts) == 1:
        return parts[0]
    requests = sum(p.requests for p in parts)

    def merged(q: float) -> float:
        return merged_percentile(
            [(p.requests, p.percentiles) for p in parts if p.requests and p.percentiles], q
        )

    return LoadResult(
        generator=parts[0].generator, requests=requests,
        seconds=max(p.seconds for p in parts), errors=sum(p.errors for p in parts),
        p50_ms=merged(50), p90_ms=merged(90), p99_ms=merged(99),
        max_ms=max(p.max_ms for p in parts),
        percentiles=tuple(merged(q) for q in PERCENTILE_GRID),
    )


def chain_results(rounds: Sequence[LoadResult]) -> LoadResult:
    """Loads that ran one after another (the rounds of an A/B comparison) as one: their
    requests over the sum of their times, latencies as in merge_results."""
    merged = merge_results(rounds)
    return replace(merged, seconds=sum(r.seconds for r in rounds))


def merged_percentile(parts: Sequence[tuple[int, Sequence[float]]], q: float) -> float:
    """The `q`th percentile of the union of samples whose sizes and PERCENTILE_GRID latencies
    are `parts`: the least grid latency below or at which `q`% of all samples fall (each part's
    share at a latency read from its own grid, stepwise)."""
    total = sum(n for n, _ in parts)
    if not total:
        return 0.0
    candidates = sorted({v for _, grid in parts for v in grid})
    for value in candidates:
        below = sum(n * _share_at_or_below(grid, value) for n, grid in parts)
        if below >= q / 100 * total - 1e-9:
            return value
    return candidates[-1]


def _share_at_or_below(grid: Sequence[float], value: float) -> float:
    """Of one part: the share of its samples at or below `value`, by its grid."""
    share = 0.0
    for point, latency in zip(PERCENTILE_GRID, grid, strict=True):
        if latency <= value:
            share = point / 100
        else:
            break
    return share


def wrk_path() -> str | None:
    return shutil.which("wrk")


async def run_load(
    base_url: str,
    endpoint: Endpoint,
    targets: Targets,
    *,
    connections: int,
    duration: float,
    workdir: Path,
    threads: int = 1,
    use_wrk: bool = True,
    on_start: Callable[[int], None] | None = None,
) -> LoadResult:
    """`connections` concurrent connections requesting `endpoint` for `duration` seconds."""
    workdir.mkdir(parents=True, exist_ok=True)
    wrk = wrk_path() if use_wrk else None
    if wrk:
        script = workdir / "request.lua"
        script.write_text(_lua_script(endpoint, targets))
        command = [
            wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
            "--timeout", "10s", "-s", str(script), base_url,
        ]
    else:
        spec = workdir / "request.json"
        spec.write_text(json.dumps({
            "base_url": base_url, "template": endpoint.template,
            "pairs": [list(p) for p in targets.pairs], "tasks": list(targets.tasks),
        }))
        command = [
            sys.executable, "-m", "bench.http_load", str(spec),
            "--connections", str(connections), "--duration", str(duration),
        ]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    if on_start:
        on_start(process.pid)
    out, err = await process.communicate()
    for line in out.decode().splitlines():
        if line.startswith(_MARK):
            return LoadResult(**json.loads(line[len(_MARK):]))
    raise RuntimeError(f"load generator failed ({process.returncode}): {err.decode()[-2000:]}")


async def run_split_load(
    base_urls: Sequence[str],
    endpoint: Endpoint,
    targets: Targets,
    *,
    connections: int,
    duration: float,
    workdir: Path,
    threads: int = 1,
    use_wrk: bool = True,
    on_start: Callable[[int], None] | None = None,
) -> LoadResult:
    """`connections` split evenly over `base_urls` (one API process each), a load generator per
    URL, all at once; their results merged (merge_results)."""
    shares = split_connections(connections, len(base_urls))
    parts = await asyncio.gather(*(
        run_load(
            url, endpoint, targets, connections=share, duration=duration,
            workdir=workdir / str(i), threads=min(threads, share), use_wrk=use_wrk,
            on_start=on_start,
        )
        for i, (url, share) in enumerate(zip(base_urls, shares, strict=True)) if share
    ))
    return merge_results(parts)


def split_connections(connections: int, parts: int) -> list[int]:
    """`connections` over `parts` as evenly as whole numbers allow, the first ones taking more."""
    base, extra = divmod(connections, parts)
    return [base + (i < extra) for i in range(parts)]


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lua_script(endpoint: Endpoint, targets: Targets) -> str:
    students = ",".join(_lua_string(s) for s, _ in targets.pairs)
    courses = ",".join(_lua_string(c) for _, c in targets.pairs)
    tasks = ",".join(_lua_string(t) for t in targets.tasks)
    return f"""
local students = {{{students}}}
local courses = {{{courses}}}
local tasks = {{{tasks}}}
local template = {_lua_string(endpoint.template)}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function request()
  local i = math.random(#students)
  local path = template:gsub("{{student}}", students[i]):gsub("{{course}}", courses[i])
  path = path:gsub("{{task}}", tasks[math.random(#tasks)])
  return wrk.format("GET", path)
end

local grid = {{{",".join(repr(float(q)) for q in PERCENTILE_GRID)}}}

function done(summary, latency, requests)
  local e = summary.errors
  local points = {{}}
  for i, q in ipairs(grid) do
    points[i] = string.format("%.3f", latency:percentile(q) / 1e3)
  end
  io.write(string.format(
    '{_MARK}{{"generator": "wrk", "requests": %d, "seconds": %.6f, "errors": %d, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "percentiles": [%s]}}\\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, table.concat(points, ",")))
end
"""


# The built-in client, run as its own process by run_load.


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def _client(spec: dict[str, object], connections: int, duration: float) -> LoadResult:
    import aiohttp

    base_url = str(spec["base_url"])
    template = str(spec["template"])
    pairs: list[list[str]] = spec["pairs"]  # type: ignore[assignment]
    tasks: list[str] = spec["tasks"]  # type: ignore[assignment]
    latencies: list[float] = []
    errors = 0

    async def one_connection(session: aiohttp.ClientSession, deadline: float) -> None:
        nonlocal errors
        while (started := time.perf_counter()) < deadline:
            student, course = random.choice(pairs)
            path = template.format(student=student, course=course, task=random.choice(tasks))
            try:
                async with session.get(base_url + path) as response:
                    await response.read()
                    ok = 200 <= response.status < 300
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(*(one_connection(session, deadline) for _ in range(connections)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        generator="aiohttp", requests=len(latencies), seconds=seconds, errors=errors,
        p50_ms=percentile(latencies, 50) * 1e3, p90_ms=percentile(latencies, 90) * 1e3,
        p99_ms=percentile(latencies, 99) * 1e3, max_ms=(latencies[-1] if latencies else 0) * 1e3,
        percentiles=tuple(percentile(latencies, q) * 1e3 for q in PERCENTILE_GRID),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="the built-in HTTP load generator")
    parser.add_argument("spec", type=Path)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    result = asyncio.run(_client(spec, args.connections, args.duration))
    print(_MARK + json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
