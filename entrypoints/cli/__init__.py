"""The `classconnect-stats` console script. Each command group lives in its own module with a
`register(commands)` function; a command's handler takes (settings, args). What must hold before
a command runs (a readable configuration, Redis for the commands that need it, reachable dependencies) is checked here,
once for all of them (see `preconditions`)."""

import argparse
from collections.abc import Sequence

from entrypoints.cli import dead_letters, demo, importer, queue, service, token
from entrypoints.cli import verify as verify_command
from entrypoints.cli.preconditions import (
    dependencies_reachable,
    load_settings,
    refuse_without_redis,
)
from entrypoints.logging_setup import configure_logging

COMMAND_GROUPS = (service, demo, dead_letters, token, queue, importer, verify_command)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="classconnect-stats", description="ClassConnect Stats: grade statistics over HTTP."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    args = parser.parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in ("host", "port", "processes")}
    settings = load_settings({k: v for k, v in overrides.items() if v is not None})
    configure_logging(settings)
    refuse_without_redis(settings, args)
    with dependencies_reachable(settings):
        args.handler(settings, args)
