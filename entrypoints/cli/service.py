"""The service's processes: run, serve, worker, migrate."""

import argparse
import asyncio
import functools
import logging
import socket
import sys

from aiohttp import web

from entrypoints.cli.listener import CannotListen, bind
from entrypoints.cli.preconditions import needs_redis
from entrypoints.container import build_container
from entrypoints.embedded import EmbeddedRedis, start_embedded_postgres, start_embedded_redis
from entrypoints.event_loop import new_event_loop, tune_garbage_collection
from entrypoints.settings import Settings, redact

log = logging.getLogger("classconnect_stats")


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    def listener(name: str, help: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help)
        command.add_argument("--host", help="address to listen on (default: STATS_HOST)")
        command.add_argument("--port", type=int, help="port to listen on (default: STATS_PORT)")
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
    serve.set_defaults(handler=functools.partial(_api, with_worker=False))
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
        return bind(settings.http.host, settings.http.port)
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
    if url and not asyncio.run(postgres_at_start(url, apply_migrations=migrating)) and migrating:
        background.append(migrations_when_reachable)
    with_worker = with_worker and bool(settings.queue.url)
    if with_worker:
        background.append(in_process_worker)
    if worker_process:
        from entrypoints.cli.worker_process import worker_process as supervised_worker

        background.append(supervised_worker(settings))
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
    one process, as `_api(with_worker=True)`."""
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


