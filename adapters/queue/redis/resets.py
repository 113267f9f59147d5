"""A queue reset, as the worker that noticed it leaves it for everyone to see: a small hash next
to the stream, kept for a while (written after the reset, so it survives it), read by the API's
readiness and by `classconnect-stats queue`."""

from datetime import UTC, datetime

from redis.asyncio import Redis

from adapters.queue.redis import stream_ids
from adapters.queue.redis.failures import reported_as_unavailable
from application.ports.queue import QueueReset


def resets_key(stream: str) -> str:
    return f"{stream}:last-reset"


async def report_reset(redis: Redis, stream: str, reset: QueueReset, keep: float) -> None:
    """Leave `reset` next to `stream` for `keep` seconds."""
    fields = {
        "detected_at": reset.detected_at.isoformat(),
        "consumer": reset.consumer,
        "last_entry_id": reset.last_entry_id or "",
        "last_entry_at": reset.last_entry_at.isoformat() if reset.last_entry_at else "",
        "unfinished": str(reset.unfinished),
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(resets_key(stream))
        pipe.hset(resets_key(stream), mapping=fields)  # type: ignore[arg-type]
        pipe.expire(resets_key(stream), max(1, round(keep)))
        await pipe.execute()


async def last_reset(redis: Redis, stream: str) -> QueueReset | None:
    with reported_as_unavailable(every_redis_error=True):
        raw = await redis.hgetall(resets_key(stream))
    if not raw:
        return None
    fields = {stream_ids.text(k): stream_ids.text(v) for k, v in raw.items()}
    return QueueReset(
        detected_at=datetime.fromisoformat(fields["detected_at"]),
        consumer=fields.get("consumer", ""),
        last_entry_id=fields.get("last_entry_id") or None,
        last_entry_at=_when(fields.get("last_entry_at")),
        unfinished=int(fields.get("unfinished") or 0),
    )


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None
