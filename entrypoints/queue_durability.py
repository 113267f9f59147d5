"""At start, the API and the worker say whether the queue survives a restart of Redis, and with
STATS_QUEUE_REQUIRE_DURABLE refuse to run on a queue that does not."""

import logging

from application.ports.errors import QueueUnavailable
from application.ports.queue import QueueDurability, QueueInspector
from entrypoints.settings import Settings

log = logging.getLogger(__name__)

NOT_DURABLE = (
    "the Redis queue has no persistence (appendonly no, no save): grades accepted and not yet "
    "recorded are lost if Redis restarts. Turn persistence on in Redis (appendonly yes, "
    "appendfsync everysec; or CONFIG SET appendonly yes, then CONFIG REWRITE)"
)


class QueueNotDurable(SystemExit):
    """Raised at start with STATS_QUEUE_REQUIRE_DURABLE on a queue without persistence: the
    process exits with status 1 and this one line, as for any refusal to start."""


async def check_queue_durability(
    queue: QueueInspector | None, settings: Settings
) -> QueueDurability | None:
    """Log the queue's durability (a warning when it has none); refuse to start without it
    when the settings require it. None without a Redis queue."""
    if queue is None:
        return None
    try:
        durability = await queue.durability()
    except QueueUnavailable as e:
        log.warning("queue durability: cannot be read (%s); unknown", e)
        return "unknown"
    if durability == "none" and settings.queue.require_durable:
        log.error("queue durability: none; refusing to start (STATS_QUEUE_REQUIRE_DURABLE)")
        raise QueueNotDurable(f"{NOT_DURABLE}; STATS_QUEUE_REQUIRE_DURABLE=true refuses it")
    if durability == "none":
        log.warning("queue durability: none: %s", NOT_DURABLE)
    elif durability == "unknown":
        log.warning(
            "queue durability: unknown: this Redis does not allow CONFIG GET; make sure it "
            "persists its data (AOF), or accepted grades are lost if it restarts"
        )
    else:
        log.info("queue durability: %s", durability)
    return durability
