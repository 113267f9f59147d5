"""What is in a queue stream: length, per-group backlog and consumers, how old the oldest
unfinished entry is, whether the workers are paused, and what they did in the last hour (the
QueueInspector port)."""

from redis.asyncio import Redis

from adapters.queue.redis import stream_ids
from adapters.queue.redis.dead_letters import dead_letters_stream
from adapters.queue.redis.durability import queue_durability
from adapters.queue.redis.failures import reported_as_unavailable
from adapters.queue.redis.resets import last_reset
from adapters.queue.redis.switch import paused_since
from adapters.queue.redis.throughput import last_hour
from application.ports.queue import (
    ConsumerState,
    GroupBacklog,
    QueueDurability,
    QueueReset,
    QueueStats,
)


class RedisQueueInspector:
    """Reads the stream `stream` through `redis` (a client of its own, with short timeouts, so
    that an inspection never waits behind, or disturbs, the broker's connections)."""

    def __init__(self, redis: Redis, stream: str) -> None:
        self._redis = redis
        self._stream = stream

    async def ping(self) -> None:
        with reported_as_unavailable():
            await self._redis.ping()

    async def stats(self) -> QueueStats:
        with reported_as_unavailable():
            return await queue_stats(self._redis, self._stream)

    async def durability(self) -> QueueDurability:
        return await queue_durability(self._redis)

    async def last_reset(self) -> QueueReset | None:
        return await last_reset(self._redis, self._stream)

    async def backlog(self) -> int:
        with reported_as_unavailable(every_redis_error=True):
            groups = await self._redis.xinfo_groups(self._stream)
            if not groups:
                return int(await self._redis.xlen(self._stream))
            return max(
                int(g["pending"]) + int(g["lag"] if g.get("lag") is not None else 0)
                for g in groups
            )


async def queue_stats(redis: Redis, stream: str) -> QueueStats:
    seconds, micros = await redis.time()
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    if not await redis.exists(stream):
        groups: tuple[GroupBacklog, ...] = ()
        length = 0
    else:
        length = int(await redis.xlen(stream))
        groups = tuple(
            [
                await _backlog(redis, stream, info, now_ms)
                for info in await redis.xinfo_groups(stream)
            ]
        )
    dead = int(await redis.xlen(dead_letters_stream(stream)))
    return QueueStats(
        stream=stream, length=length, groups=groups, dead_letters=dead,
        paused_since=await paused_since(redis, stream),
        throughput=await last_hour(redis, stream, int(seconds)),
    )


async def _backlog(redis: Redis, stream: str, info: dict[str, object], now_ms: int) -> GroupBacklog:
    name = stream_ids.text(info["name"])  # type: ignore[arg-type]
    pending = int(info["pending"])  # type: ignore[call-overload]
    oldest: float | None = None
    if pending:
        summary = await redis.xpending(stream, name)
        if summary["pending"]:
            oldest = max(0, now_ms - stream_ids.parse(summary["min"])[0]) / 1000
    lag = info.get("lag")
    consumers = await redis.xinfo_consumers(stream, name)
    return GroupBacklog(
        name=name,
        consumers=int(info["consumers"]),  # type: ignore[call-overload]
        pending=pending,
        lag=None if lag is None else int(lag),  # type: ignore[call-overload]
        oldest_pending_age=oldest,
        consumer_states=tuple(
            ConsumerState(
                name=stream_ids.text(c["name"]),
                pending=int(c["pending"]),
                idle=int(c["idle"]) / 1000,
            )
            for c in consumers
        ),
    )
