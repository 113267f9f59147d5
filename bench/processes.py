"""The processes under test: `classconnect-stats serve` / `worker`, the ceiling server."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "entrypoints.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Process:
    """A subprocess whose output goes to a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    def running(self) -> bool:
        return self._process.poll() is None

    def signal(self, sig: int) -> None:
        self._process.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self._process.wait(timeout)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        return self.log()[-chars:]


def service(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Process:
    return Process(name, CLI + args, env, log_dir)


class Group:
    """Processes of one kind, each listening on a port of its own: the benchmark can then load
    them evenly and ask each one whether it shows a new grade (with SO_REUSEPORT, as
    `serve --processes N` shares one port, a client cannot choose the process that answers)."""

    def __init__(self, processes: list[Process], ports: list[int]) -> None:
        self.processes = processes
        self.urls = [f"http://127.0.0.1:{port}" for port in ports]

    async def wait_healthy(self, path: str) -> None:
        await asyncio.gather(*(
            wait_healthy(process, url + path)
            for process, url in zip(self.processes, self.urls, strict=True)
        ))

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def services(name: str, count: int, env: dict[str, str], log_dir: Path) -> Group:
    """`count` API processes (`classconnect-stats serve`), named `{name}-{i}`."""
    ports = [free_port() for _ in range(count)]
    return Group(
        [service(f"{name}-{i}", ["serve", "--port", str(port)], env, log_dir)
         for i, port in enumerate(ports)],
        ports,
    )


def ceilings(count: int, log_dir: Path) -> Group:
    ports = [free_port() for _ in range(count)]
    return Group(
        [Process(f"ceiling-{i}", [sys.executable, "-m", "bench.ceiling", "--port", str(port)], {},
                 log_dir) for i, port in enumerate(ports)],
        ports,
    )


async def wait_healthy(process: Process, url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if not process.running():
                raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
            try:
                async with session.get(url) as r:
                    if r.status == 200:
                        return
            except (TimeoutError, aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{process.name} not healthy within {timeout}s:\n{process.tail()}")
