"""The durable event queue: a Redis stream read through taskiq, with dead letters."""

from adapters.redis_queue.broker import ReliableRedisStreamBroker, default_consumer_name
from adapters.redis_queue.connection import cancellable_connection_options
from adapters.redis_queue.dead_letters import DeadLetter, DeadLetters, dead_letters_stream
from adapters.redis_queue.inspection import GroupBacklog, QueueStats, queue_stats
from adapters.redis_queue.retention import first_needed_id, trim_acknowledged

__all__ = [
    "DeadLetter",
    "DeadLetters",
    "GroupBacklog",
    "QueueStats",
    "ReliableRedisStreamBroker",
    "cancellable_connection_options",
    "dead_letters_stream",
    "default_consumer_name",
    "first_needed_id",
    "queue_stats",
    "trim_acknowledged",
]
