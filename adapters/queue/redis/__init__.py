"""The durable event queue: a Redis stream read through taskiq, with dead letters, trimming by
acknowledgement and inspection."""

from adapters.queue.redis.broker import ReliableRedisStreamBroker, default_consumer_name
from adapters.queue.redis.connection import cancellable_connection_options
from adapters.queue.redis.dead_letters import RedisDeadLetters, dead_letters_stream
from adapters.queue.redis.durability import queue_durability
from adapters.queue.redis.idempotency_keys import RedisIdempotencyKeys
from adapters.queue.redis.inspection import RedisQueueInspector, queue_stats
from adapters.queue.redis.retention import first_needed_id, trim_acknowledged
from adapters.queue.redis.switch import RedisQueueSwitch

__all__ = [
    "RedisDeadLetters",
    "RedisIdempotencyKeys",
    "RedisQueueInspector",
    "RedisQueueSwitch",
    "ReliableRedisStreamBroker",
    "cancellable_connection_options",
    "dead_letters_stream",
    "default_consumer_name",
    "first_needed_id",
    "queue_durability",
    "queue_stats",
    "trim_acknowledged",
]
