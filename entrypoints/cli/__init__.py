"""The `classconnect-stats` console script. Each command group lives in its own module with a
`register(commands)` function; a command's handler takes (settings, args)."""

import argparse
import logging
from collections.abc import Sequence

from entrypoints.cli import dead_letters, service
from entrypoints.settings import Settings

COMMAND_GROUPS = (service, dead_letters)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="classconnect-stats", description="ClassConnect Stats: grade statistics over HTTP."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    args = parser.parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in ("host", "port")}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    args.handler(settings, args)
