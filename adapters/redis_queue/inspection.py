"""What is in a queue stream: length, per-group backlog, how old the oldest unfinished entry is."""

from dataclasses import dataclass

from redis.asyncio import Redis

from adapters.redis_queue import stream_ids
from adapters.redis_queue.dead_letters import dead_letters_stream


@dataclass(frozen=True, slots=True)
class GroupBacklog:
    name: str
    consumers: int
    pending: int  # delivered, not yet acknowledged
    lag: int | None  # not yet delivered (None when Redis cannot tell, e.g. after a deletion)
    oldest_pending_age: float | None  # seconds since the oldest pending entry was published


@dataclass(frozen=True, slots=True)
class QueueStats:
    stream: str
    length: int
    groups: tuple[GroupBacklog, ...]
    dead_letters: int


async def queue_stats(redis: Redis, stream: str) -> QueueStats:
    if not await redis.exists(stream):
        groups: tuple[GroupBacklog, ...] = ()
        length = 0
    else:
        length = int(await redis.xlen(stream))
        seconds, micros = await redis.time()
        now_ms = int(seconds) * 1000 + int(micros) // 1000
        groups = tuple(
            [
                await _backlog(redis, stream, info, now_ms)
                for info in await redis.xinfo_groups(stream)
            ]
        )
    dead = int(await redis.xlen(dead_letters_stream(stream)))
    return QueueStats(stream=stream, length=length, groups=groups, dead_letters=dead)


async def _backlog(redis: Redis, stream: str, info: dict[str, object], now_ms: int) -> GroupBacklog:
    name = stream_ids.text(info["name"])  # type: ignore[arg-type]
    pending = int(info["pending"])  # type: ignore[call-overload]
    oldest: float | None = None
    if pending:
        summary = await redis.xpending(stream, name)
        if summary["pending"]:
            oldest = max(0, now_ms - stream_ids.parse(summary["min"])[0]) / 1000
    lag = info.get("lag")
    return GroupBacklog(
        name=name,
        consumers=int(info["consumers"]),  # type: ignore[call-overload]
        pending=pending,
        lag=None if lag is None else int(lag),  # type: ignore[call-overload]
        oldest_pending_age=oldest,
    )
