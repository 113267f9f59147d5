"""`classconnect-stats dead-letters list|replay`: events that could not be recorded."""

import argparse
import asyncio
import json

from entrypoints.cli.preconditions import needs_redis
from entrypoints.settings import Settings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    dead = commands.add_parser("dead-letters", help="events that could not be recorded")
    needs_redis(
        dead, "dead letters are kept in the Redis queue",
        "; without one, events are recorded in-process and nothing is dead-lettered",
    )
    actions = dead.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="print dead letters as JSON lines")
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(handler=_list)
    replay = actions.add_parser("replay", help="queue dead letters again")
    replay.add_argument("ids", nargs="*", help="dead-letter ids (default: all)")
    replay.set_defaults(handler=_replay)


def _list(settings: Settings, args: argparse.Namespace) -> None:
    from entrypoints.worker.dead_letters import list_dead_letters

    for letter in asyncio.run(list_dead_letters(settings, limit=args.limit)):
        print(json.dumps(letter, default=str))


def _replay(settings: Settings, args: argparse.Namespace) -> None:
    from entrypoints.worker.dead_letters import replay_dead_letters

    replayed = asyncio.run(replay_dead_letters(settings, ids=args.ids or None))
    print(f"replayed {replayed} dead letter(s)")
