"""Telling a Redis that is down, slow or restarting from a command that failed on its own merits:
the first is reported as the port's QueueUnavailable (raised from redis-py's error)."""

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from application.ports.errors import QueueUnavailable

# refused and reset connections, and timeouts (TimeoutError is an OSError)
_TRANSIENT_TYPES = (OSError, RedisConnectionError, RedisTimeoutError)


def is_transient(error: BaseException) -> bool:
    """True when `error` is a failure of Redis (or of the way to it) rather than of the
    command."""
    return isinstance(error, _TRANSIENT_TYPES)


@contextmanager
def reported_as_unavailable(*, every_redis_error: bool = False) -> Iterator[None]:
    """Re-raise a transient failure of the block as QueueUnavailable; with `every_redis_error`,
    any error of Redis too (for reads, where any such error means the queue cannot be read)."""
    try:
        yield
    except QueueUnavailable:
        raise
    except Exception as e:
        if is_transient(e) or (every_redis_error and isinstance(e, RedisError)):
            raise QueueUnavailable(f"the Redis queue is unavailable: {e!r}") from e
        raise
