"""Whether the queue survives a restart of Redis: its persistence settings, as `CONFIG GET`
reports them. A Redis that does not allow CONFIG (many managed services rename or disable it)
cannot tell; that is reported as such, not guessed."""

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.queue.redis import stream_ids
from adapters.queue.redis.failures import reported_as_unavailable
from application.ports.queue import QueueDurability


async def queue_durability(redis: Redis) -> QueueDurability:
    """`aof` (append-only file on), `rdb` (snapshots only), `none`, or `unknown`."""
    with reported_as_unavailable():
        try:
            appendonly = _value(await redis.config_get("appendonly"))
            save = _value(await redis.config_get("save"))
        except ResponseError:  # CONFIG disabled, renamed or not permitted to this user
            return "unknown"
    if appendonly == "yes":
        return "aof"
    return "rdb" if save.strip() else "none"


def _value(reply: dict[str | bytes, str | bytes]) -> str:
    values = list(reply.values())
    return stream_ids.text(values[0]) if values else ""
