"""Grade events processed and failed per minute, all workers together, kept in Redis next to the
queue for an hour: a hash per minute (`<queue>:throughput:<unix minute>`, fields `processed` and
`failed`) that expires after the hour it is reported for.

A worker counts in memory (`ThroughputTally.add`, no I/O per message) and adds its counts to the
hashes about once a second (`flush`, one round trip); HINCRBY makes the workers' counts add up.
"""

import time
from datetime import UTC, datetime

from redis.asyncio import Redis

from application.ports.queue import MinuteCount

MINUTES = 60
_KEPT_SECONDS = (MINUTES + 2) * 60


def throughput_key(queue_name: str, minute: int) -> str:
    return f"{queue_name}:throughput:{minute}"


class ThroughputTally:
    """One worker's counts not yet added to Redis, by minute."""

    def __init__(self, queue_name: str) -> None:
        self._queue_name = queue_name
        self._counts: dict[int, tuple[int, int]] = {}

    def add(self, processed: int = 0, failed: int = 0) -> None:
        minute = int(time.time() // 60)
        before = self._counts.get(minute, (0, 0))
        self._counts[minute] = (before[0] + processed, before[1] + failed)

    async def flush(self, redis: Redis) -> None:
        """Add the counts to Redis; on failure they are kept for the next flush."""
        counts, self._counts = self._counts, {}
        if not counts:
            return
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for minute, (processed, failed) in counts.items():
                    key = throughput_key(self._queue_name, minute)
                    if processed:
                        pipe.hincrby(key, "processed", processed)
                    if failed:
                        pipe.hincrby(key, "failed", failed)
                    pipe.expire(key, _KEPT_SECONDS)
                await pipe.execute()
        except BaseException:
            for minute, (processed, failed) in counts.items():
                now = self._counts.get(minute, (0, 0))
                self._counts[minute] = (now[0] + processed, now[1] + failed)
            raise


async def last_hour(redis: Redis, queue_name: str, now_seconds: int) -> tuple[MinuteCount, ...]:
    """The counts of the last MINUTES minutes up to the one of `now_seconds` (Redis' clock),
    oldest first; a minute nothing was counted in is zero."""
    current = now_seconds // 60
    minutes = range(current - MINUTES + 1, current + 1)
    async with redis.pipeline(transaction=False) as pipe:
        for minute in minutes:
            pipe.hmget(throughput_key(queue_name, minute), ["processed", "failed"])
        replies = await pipe.execute()
    return tuple(
        MinuteCount(
            minute=datetime.fromtimestamp(minute * 60, UTC),
            processed=int(processed or 0),
            failed=int(failed or 0),
        )
        for minute, (processed, failed) in zip(minutes, replies, strict=True)
    )
