"""The service's processes: run, serve, worker, migrate."""

import argparse
import asyncio
import functools
import logging
import os
import socket
import sys

from aiohttp import web

from entrypoints.cli.listener import CannotListen, bind, reserve
from entrypoints.cli.preconditions import needs_redis
from entrypoints.cli.supervisor import Child, supervise
from entrypoints.container import build_container
from entrypoints.embedded import EmbeddedRedis, start_embedded_postgres, start_embedded_redis
from entrypoints.event_loop import new_event_loop, tune_garbage_collection
from entrypoints.settings import Settings, redact

log = logging.getLogger("classconnect_stats")

# Set in the environment of the API processes a `--processes N` parent starts: each binds the
# port with SO_REUSEPORT, alongside its siblings.
SHARED_PORT = "CLASSCONNECT_STATS_SHARED_PORT"
# Seconds a child of `--processes N` may take to stop, beyond STATS_SHUTDOWN_TIMEOUT (closing
# its pools; a worker finishing its messages), before it is killed.
STOP_MARGIN = 10.0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    def listener(name: str, help: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help)
        command.add_argument("--host", help="address to listen on (default: STATS_HOST)")
        command.add_argument("--port", type=int, help="port to listen on (default: STATS_PORT)")
        command.add_argument(
            "--processes", type=int, metavar="N",
            help="API processes sharing the port, as `gunicorn -w N`: above 1, a supervising "
            "parent starts them (Linux, SO_REUSEPORT), replaces one that dies and passes "
            "SIGTERM/SIGINT on (default: STATS_PROCESSES, 1)",
        )
        return command

    run = listener(
        "run", "the whole service: the API and a worker process, with embedded PostgreSQL and "
        "Redis unless STATS_DATABASE_URL / STATS_REDIS_URL are set",
    )
    run.add_argument(
        "--in-process", action="store_true",
        help="one process: the API and a worker in it; without STATS_REDIS_URL each event is "
        "recorded before its POST is answered (the in-process queue)",
    )
    run.set_defaults(handler=_run)
    serve = listener("serve", "the API only (events go to Redis)")
    serve.set_defaults(handler=_serve)
    needs_redis(serve, "`serve` publishes events to the Redis queue", ", or use `run`")
    worker = commands.add_parser("worker", help="a worker: records events from Redis")
    worker.set_defaults(handler=_worker)
    needs_redis(worker, "a worker reads events from the Redis queue", ", or use `run`")
    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        handler=_migrate
    )


def with_storage(settings: Settings) -> Settings:
    """Settings whose database_url points at a running server: the configured one, else the
    embedded one (unless storage is memory). Logs which mode the service is in."""
    if settings.database.storage == "memory":
        log.warning("storage: in-memory; nothing survives a restart")
        return settings
    if settings.database.url:
        log.info("storage: PostgreSQL at %s", redact(settings.database.url))
        return settings
    url = start_embedded_postgres(settings.database.data_dir)
    log.info("storage: embedded PostgreSQL, data in %s", settings.database.data_dir.resolve())
    database = settings.database.model_copy(update={"url": url})
    return settings.model_copy(update={"database": database})


def with_queue(settings: Settings) -> tuple[Settings, EmbeddedRedis | None]:
    """Settings whose queue URL points at a running Redis: the configured one, else an
    embedded one (returned, for the caller to stop)."""
    if settings.queue.url:
        return settings, None
    redis = start_embedded_redis(settings.queue.data_dir)
    log.info("queue: embedded Redis (Valkey) on %s, data in %s (append-only file on)",
             redis.url, redis.data_dir)
    queue = settings.queue.model_copy(update={"redis_url": redis.url})
    return settings.model_copy(update={"queue": queue}), redis


def _log_queue(settings: Settings) -> None:
    if settings.queue.url:
        log.info("queue: Redis stream %s at %s", settings.queue.stream, redact(settings.queue.url))
    else:
        log.info("queue: in-process (each event is recorded before its POST is answered)")


def _migrate_if_needed(settings: Settings) -> None:
    if settings.database.url and settings.database.auto_migrate:
        from adapters.postgres import migrate

        applied = asyncio.run(migrate(settings.database.url))
        if applied:
            log.info("migrations applied: %s", ", ".join(applied))


def _listen(settings: Settings) -> socket.socket:
    try:
        return bind(settings.http.host, settings.http.port, shared=SHARED_PORT in os.environ)
    except CannotListen as e:
        sys.exit(str(e))


def _serve_app(
    settings: Settings, sock: socket.socket, with_worker: bool, worker_process: bool = False
) -> None:
    """The API on `sock`; it starts while PostgreSQL or Redis is down (late_dependencies).
    `with_worker`: a worker in this process; `worker_process`: a worker in a process of its own,
    started once the migrations are applied."""
    from entrypoints.http.app import Background, create_app
    from entrypoints.http.late_dependencies import migrations_when_reachable, postgres_at_start
    from entrypoints.worker.runner import in_process_worker

    background: list[Background] = []
    url, migrating = settings.database.url, settings.database.auto_migrate
    migrated = asyncio.Event()
    if url and not asyncio.run(postgres_at_start(url, apply_migrations=migrating)) and migrating:
        background.append(functools.partial(migrations_when_reachable, done=migrated))
    else:
        migrated.set()
    with_worker = with_worker and bool(settings.queue.url)
    if with_worker:
        background.append(in_process_worker)
    if worker_process:
        from entrypoints.cli.worker_process import worker_process as supervised_worker

        background.append(supervised_worker(settings, migrated))
    container = build_container(settings)
    app = create_app(container, *background, with_worker=with_worker)
    tune_garbage_collection()
    url = f"http://{settings.http.host}:{settings.http.port}/stats"
    log.info("listening on %s (API docs: %s/docs)", url, url)
    # On SIGTERM: stop accepting, let in-flight requests finish (up to shutdown_timeout), then
    # run the cleanup (broker, pools). Access lines come from entrypoints.http.middleware.
    web.run_app(
        app,
        loop=new_event_loop(), sock=sock, print=None, access_log=None,
        shutdown_timeout=settings.http.shutdown_timeout,
        # aiohttp closes a connection still waiting for a complete request head this long after
        # it opened or after its last answer: the header-read timeout.
        keepalive_timeout=settings.http.request_header_timeout,
    )
    log.info("stopped")


def _refuse_unsafe(settings: Settings) -> None:
    from entrypoints.http.access import unsafe_configuration

    problem = unsafe_configuration(settings)
    if problem:
        sys.exit(problem)


def _run(settings: Settings, args: argparse.Namespace) -> None:
    """`run`: the API and a worker process over PostgreSQL and Redis, embedded ones unless
    configured. `--in-process`, or in-memory storage (which a second process could not see):
    one process, as `_api(with_worker=True)`. `--processes N` (N > 1): N API processes and a
    worker process under a supervising parent."""
    if settings.http.processes > 1:
        if args.in_process:
            sys.exit(f"--in-process runs one process; --processes {settings.http.processes} "
                     "cannot be combined with it")
        _api_processes(settings, with_worker_process=True)
        return
    if args.in_process or settings.database.storage == "memory":
        if not args.in_process:
            log.info("storage is in-memory: the API and the worker run in one process")
        _api(settings, args, with_worker=True)
        return
    _refuse_unsafe(settings)
    sock = _listen(settings)
    settings = with_storage(settings)
    settings, redis = with_queue(settings)
    try:
        _log_queue(settings)
        _serve_app(settings, sock, with_worker=False, worker_process=True)
    finally:
        if redis is not None:
            redis.stop()
            log.info("embedded Redis stopped")


def _api(settings: Settings, args: argparse.Namespace, *, with_worker: bool) -> None:
    """`run --in-process` (with_worker: the API and a worker in one process) or `serve` (the
    API only)."""
    _refuse_unsafe(settings)
    sock = _listen(settings)
    settings = with_storage(settings)
    _log_queue(settings)
    _serve_app(settings, sock, with_worker=with_worker)


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    if settings.http.processes > 1:
        _api_processes(settings, with_worker_process=False)
    else:
        _api(settings, args, with_worker=False)


def _api_processes(settings: Settings, *, with_worker_process: bool) -> None:
    """`serve --processes N` and `run --processes N`: this process supervises N `serve`
    processes sharing the port (and, for `run`, a worker process). What must happen once happens
    here, before they start: the port checked, the embedded PostgreSQL and Redis started (`run`),
    the migrations applied (when PostgreSQL answers; otherwise the first API process that reaches
    it applies them, under the migrations' lock). Each API process has its own pools, its own
    change listener and its own kept answers."""
    count = settings.http.processes
    if settings.database.storage == "memory":
        sys.exit(f"--processes {count} needs PostgreSQL storage: in-memory storage is one "
                 "process's own")
    _refuse_unsafe(settings)
    try:
        port = reserve(settings.http.host, settings.http.port)
    except CannotListen as e:
        sys.exit(str(e))
    redis = None
    try:
        settings = with_storage(settings)
        if with_worker_process:
            settings, redis = with_queue(settings)
        _log_queue(settings)
        env = _children_environment(settings)
        program = [sys.executable, "-m", "entrypoints.cli"]
        serve = [*program, "serve", "--host", settings.http.host,
                 "--port", str(settings.http.port), "--processes", "1"]
        children = [Child("API process", serve, env) for _ in range(count)]
        if with_worker_process:
            children.append(Child("worker process", [*program, "worker"], env))
        url = f"http://{settings.http.host}:{settings.http.port}/stats"
        log.info("starting %d API processes on %s", count, url)
        status = supervise(children, stop_timeout=settings.http.shutdown_timeout + STOP_MARGIN)
        log.info("stopped" if status == 0 else "stopped; not every process stopped cleanly")
    finally:
        port.close()
        if redis is not None:
            redis.stop()
            log.info("embedded Redis stopped")
    sys.exit(status)


def _children_environment(settings: Settings) -> dict[str, str]:
    """The environment of a `--processes N` parent's children: the servers it settled on, and
    no migrations when it applied them."""
    from entrypoints.http.late_dependencies import postgres_at_start

    env = {**os.environ, SHARED_PORT: "1"}
    url = settings.database.url
    if url:
        env["STATS_DATABASE_URL"] = url
        migrating = settings.database.auto_migrate
        if asyncio.run(postgres_at_start(url, apply_migrations=migrating)) and migrating:
            env["STATS_AUTO_MIGRATE"] = "false"
    if settings.queue.url:
        env["STATS_REDIS_URL"] = settings.queue.url
    return env


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    from entrypoints.worker.metrics import serve_worker_metrics
    from entrypoints.worker.runner import run_worker_process

    settings = with_storage(settings)
    _log_queue(settings)
    _migrate_if_needed(settings)
    serve_worker_metrics(settings)
    run_worker_process(build_container(settings))


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    settings = with_storage(settings)
    if settings.database.url is None:
        sys.exit("nothing to migrate: storage is in-memory")
    from adapters.postgres import migrate

    applied = asyncio.run(migrate(settings.database.url))
    print(f"applied: {', '.join(applied)}" if applied else "the database is up to date")


