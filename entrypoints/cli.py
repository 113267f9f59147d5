"""The `classconnect-stats` console script."""

import argparse
import logging
from collections.abc import Sequence

from aiohttp import web

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

log = logging.getLogger("classconnect_stats")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="classconnect-stats", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the HTTP API with an in-process worker")
    run.add_argument("--host", help="address to listen on (default: STATS_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port to listen on (default: STATS_PORT or 8080)")
    args = parser.parse_args(argv)

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "run":
        _run(settings)


def _run(settings: Settings) -> None:
    container = build_container(settings)
    log.info("mode: in-memory (data is kept only while this process runs)")
    web.run_app(create_app(container), host=settings.host, port=settings.port, print=None)
    log.info("stopped")


if __name__ == "__main__":
    main()
