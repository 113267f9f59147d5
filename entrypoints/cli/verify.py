"""`classconnect-stats verify`: recompute every statistic from the recorded grades and compare it
with the one kept up to date by the workers. Exits 1 (printing the differences) if any differs."""

import argparse
import asyncio
import sys

from entrypoints.settings import Settings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "verify", help="recompute the statistics from the grades and compare (exit 1 if differ)"
    )
    command.add_argument(
        "--limit", type=int, default=100, help="differences shown per table (default: 100)"
    )
    command.set_defaults(handler=_verify)


def _verify(settings: Settings, args: argparse.Namespace) -> None:
    from adapters.postgres import verify
    from entrypoints.cli.service import with_storage

    settings = with_storage(settings)
    if settings.database.url is None:
        sys.exit("nothing to verify: storage is in-memory")
    differences = asyncio.run(verify(settings.database.url, limit=args.limit))
    for difference in differences:
        print(difference)
    if differences:
        sys.exit(f"{len(differences)} aggregate row(s) differ from their recomputation")
    print("every aggregate equals its recomputation")
