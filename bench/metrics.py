"""CPU and memory of the processes under test, sampled while a measurement runs.

CPU is reported in percent of one core (200% is all of a 2-core machine). "postgres" is the
server processes serving the benchmark's database (its backends and autovacuum workers, from
pg_stat_activity), "redis" every redis-server, the others the process ids they were given, and
"other" whatever else kept the machine busy (other databases' work, the OS, other programs).
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import psutil

_BY_NAME = {"redis-server": "redis"}


@dataclass
class Usage:
    seconds: float = 0.0
    cpu_percent: dict[str, float] = field(default_factory=dict)  # role -> % of one core
    max_rss_mb: dict[str, float] = field(default_factory=dict)  # process label -> MiB
    machine_busy_percent: float = 0.0  # of all cores
    cores: int = field(default_factory=lambda: psutil.cpu_count() or 1)

    @property
    def other_percent(self) -> float:
        """CPU of every other process on the machine (other tests, the OS), % of one core."""
        return max(0.0, self.machine_busy_percent * self.cores - sum(self.cpu_percent.values()))

    def cpu(self, role: str) -> float:
        return self.cpu_percent.get(role, 0.0)

    def summary(self, roles: tuple[str, ...] = ("api", "worker", "postgres", "redis", "load")) -> str:
        shown = [f"{role} {self.cpu(role):.0f}%" for role in roles if role in self.cpu_percent]
        return " ".join([*shown, f"other {self.other_percent:.0f}%"])


class Sampler:
    """Samples CPU time and RSS of the named processes every `interval` seconds."""

    def __init__(self, postgres_url: str | None = None, interval: float = 0.25) -> None:
        self.interval = interval
        self.postgres_url = postgres_url  # to find the backends of `database`
        self.database: str | None = None
        self._pids: dict[int, str] = {}
        self._labels: dict[int, str] = {}  # the name its memory is reported under

    def watch(self, role: str, pid: int, label: str | None = None) -> None:
        """CPU of `pid` counts to `role`; its memory is reported as `label` (default: `role`)."""
        self._pids[pid] = role
        self._labels[pid] = label or role

    def forget(self, pid: int) -> None:
        self._pids.pop(pid, None)
        self._labels.pop(pid, None)

    @contextlib.asynccontextmanager
    async def measure(self) -> AsyncIterator[Usage]:
        """Usage of the block, filled in when it exits."""
        usage = Usage()
        first: dict[int, float] = {}
        last: dict[int, tuple[str, float]] = {}
        connection = None
        if self.postgres_url and self.database:
            connection = await asyncpg.connect(self.postgres_url)
        initial = await self._cpu_snapshot(connection)
        first.update({pid: cpu for pid, (_, cpu) in initial.items()})
        machine_start = psutil.cpu_times()
        started = time.monotonic()
        stop = asyncio.Event()

        async def sample() -> None:
            while True:
                for pid, (role, cpu) in (await self._cpu_snapshot(connection)).items():
                    first.setdefault(pid, 0.0)  # appeared during the measurement
                    last[pid] = (role, cpu)
                for pid, label in list(self._labels.items()):
                    rss = _rss_mb(pid)
                    if rss is not None:
                        usage.max_rss_mb[label] = max(usage.max_rss_mb.get(label, 0.0), rss)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval)
                if stop.is_set():
                    return

        sampling = asyncio.create_task(sample())
        try:
            yield usage
        finally:
            stop.set()
            await sampling
            for pid, (role, cpu) in (await self._cpu_snapshot(connection)).items():
                last[pid] = (role, cpu)
            if connection is not None:
                await connection.close()
            elapsed = max(time.monotonic() - started, 1e-9)
            usage.seconds = elapsed
            for pid, (role, cpu) in last.items():
                spent = cpu - first.get(pid, 0.0)
                usage.cpu_percent[role] = usage.cpu_percent.get(role, 0.0) + spent / elapsed * 100
            machine_end = psutil.cpu_times()
            busy = _busy(machine_end) - _busy(machine_start)
            total = sum(machine_end) - sum(machine_start)
            usage.machine_busy_percent = busy / total * 100 if total else 0.0

    async def _cpu_snapshot(
        self, connection: asyncpg.Connection | None
    ) -> dict[int, tuple[str, float]]:
        snapshot: dict[int, tuple[str, float]] = {}
        if connection is not None:
            rows = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1", self.database
            )
            for row in rows:
                cpu = _cpu_seconds(row["pid"])
                if cpu is not None:
                    snapshot[row["pid"]] = ("postgres", cpu)
        for pid, role in list(self._pids.items()):
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                snapshot[pid] = (role, cpu)
        for process in psutil.process_iter(["name"]):
            named = _BY_NAME.get(process.info["name"] or "")
            if named and process.pid not in snapshot:
                cpu = _cpu_seconds(process.pid)
                if cpu is not None:
                    snapshot[process.pid] = (named, cpu)
        return snapshot


def _cpu_seconds(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    return float(times.user + times.system)


def _rss_mb(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def _busy(times: Any) -> float:
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
