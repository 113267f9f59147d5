"""Telling a failure of the infrastructure (a database or queue that is down, slow or
restarting) from a failure of the work itself. The first is worth retrying and is a 503 to an
HTTP client; the second is a bug or a bad message."""

import asyncpg
import redis.exceptions

# Connection exceptions (08), insufficient resources (53), operator intervention such as
# "the database system is shutting down" (57P), system errors (58), serialization failure and
# deadlock (40001, 40P01): the same statement may well succeed later.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "58", "40001", "40P01")
_TRANSIENT_TYPES = (
    OSError,  # refused and reset connections, and timeouts (TimeoutError is an OSError)
    asyncpg.exceptions.ConnectionDoesNotExistError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """True when `error`, or an exception it was explicitly raised from (`raise ... from`),
    is a failure of the infrastructure rather than of the work."""
    current: BaseException | None = error
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, _TRANSIENT_TYPES):
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATES):
            return True
        current = current.__cause__
    return False
