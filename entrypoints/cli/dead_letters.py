"""`classconnect-stats dead-letters list|replay`: events that could not be recorded."""

import argparse
import asyncio
import json

from application.ports.queue import DeadLetter, DeadLetters
from entrypoints.cli.preconditions import needs_redis
from entrypoints.cli.queue import on_the_queue
from entrypoints.container import Container
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
    async def list_(container: Container) -> list[DeadLetter]:
        return await _dead_letters(container).list(limit=args.limit)

    for letter in asyncio.run(on_the_queue(settings, list_)):
        print(json.dumps(letter.as_dict(), default=str))


def _replay(settings: Settings, args: argparse.Namespace) -> None:
    async def replay(container: Container) -> int:
        return await _dead_letters(container).replay(args.ids or None)

    replayed = asyncio.run(on_the_queue(settings, replay))
    print(f"replayed {replayed} dead letter(s)")


def _dead_letters(container: Container) -> DeadLetters:
    letters: DeadLetters | None = container.adapters.dead_letters()
    assert letters is not None, "refused by main (needs_redis)"
    return letters
