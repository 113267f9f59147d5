"""Trimming a stream without losing work: only entries every consumer group has acknowledged go.

`XADD MAXLEN` trims by count and drops entries nobody has read yet. Instead, for each group the
first entry it still needs is its oldest pending entry, or (with nothing pending) the one after
the last it was given; `XTRIM MINID` to the smallest of those removes exactly what every group
has acknowledged. A stream without groups is left alone: nobody has read anything yet.
"""

from redis.asyncio import Redis

from adapters.queue.redis import stream_ids
from adapters.queue.redis.stream_ids import StreamId


async def first_needed_id(redis: Redis, stream: str) -> StreamId | None:
    """The oldest entry some group still needs; None when no group exists (keep everything)."""
    groups = await redis.xinfo_groups(stream)
    if not groups:
        return None
    needed: list[StreamId] = []
    for group in groups:
        name = stream_ids.text(group["name"])
        if int(group["pending"]) > 0:
            summary = await redis.xpending(stream, name)
            if summary["pending"]:
                needed.append(stream_ids.parse(summary["min"]))
                continue
        needed.append(stream_ids.successor(stream_ids.parse(group["last-delivered-id"])))
    return min(needed)


async def trim_acknowledged(redis: Redis, stream: str) -> int:
    """Delete the entries every group has acknowledged; returns how many went."""
    if not await redis.exists(stream):
        return 0
    boundary = await first_needed_id(redis, stream)
    if boundary is None:
        return 0
    # Exact (not "~") so small streams shrink too; ids at or past the boundary are never touched.
    return int(await redis.xtrim(stream, minid=stream_ids.format_id(boundary), approximate=False))
