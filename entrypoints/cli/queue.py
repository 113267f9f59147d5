"""`classconnect-stats queue [--json]`: the event queue at a glance (the same report as
GET /stats/admin/queue)."""

import argparse
import asyncio
import json

from entrypoints.cli.preconditions import needs_redis
from entrypoints.settings import Settings


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
    from redis.asyncio import Redis

    from adapters.redis_queue import QueueStats, queue_stats
    from entrypoints.queue_report import as_json, as_table

    url = settings.queue_url
    assert url, "refused by main (needs_redis)"

    async def read() -> QueueStats:
        redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            return await queue_stats(redis, settings.queue_name)
        finally:
            await redis.aclose()

    stats = asyncio.run(read())
    print(json.dumps(as_json(stats), indent=2) if args.json else as_table(stats))
