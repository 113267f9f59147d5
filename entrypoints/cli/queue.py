"""`classconnect-stats queue [--json]`: the event queue at a glance (the same report as
GET /stats/admin/queue)."""

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from application.ports.queue import QueueStats
from entrypoints.cli.preconditions import needs_redis
from entrypoints.container import Container, build_container, open_resources
from entrypoints.settings import Settings

T = TypeVar("T")


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    queue = commands.add_parser(
        "queue", help="queue depth, pending entries, oldest pending age, consumers, dead letters"
    )
    queue.add_argument("--json", action="store_true", help="print JSON instead of a table")
    needs_redis(
        queue, "`queue` reports on the Redis queue",
        "; without one, events are recorded in-process",
    )
    queue.set_defaults(handler=_show)


def _show(settings: Settings, args: argparse.Namespace) -> None:
    from entrypoints.queue_report import as_json, as_table

    async def read(container: Container) -> QueueStats:
        inspector = container.adapters.queue_inspector()
        assert inspector is not None, "refused by main (needs_redis)"
        return await inspector.stats()

    stats = asyncio.run(on_the_queue(settings, read))
    print(json.dumps(as_json(stats), indent=2) if args.json else as_table(stats))


async def on_the_queue(settings: Settings, use: Callable[[Container], Awaitable[T]]) -> T:
    """What `use` makes of the container's queue adapters (its broker is not started)."""
    container = build_container(settings)
    async with open_resources(container, start_broker=False):
        return await use(container)
