"""Telling a PostgreSQL that is down, slow or restarting from a statement that failed on its own
merits. The first is reported as the port's StoreUnavailable (raised from the driver's error), so
that the worker retries it and an HTTP client gets a 503; the second stays what it was."""

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from application.ports.errors import StoreUnavailable

# Connection exceptions (08), insufficient resources (53), operator intervention such as
# "the database system is shutting down" (57P), system errors (58), serialization failure and
# deadlock (40001, 40P01): the same statement may well succeed later.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "58", "40001", "40P01")
_TRANSIENT_TYPES = (
    OSError,  # refused and reset connections, and timeouts (TimeoutError is an OSError)
    asyncpg.exceptions.ConnectionDoesNotExistError,
)


def is_transient(error: BaseException) -> bool:
    """True when `error`, or an exception it was explicitly raised from (`raise ... from`),
    is a failure of the database rather than of the statement."""
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


def unavailable(error: BaseException) -> StoreUnavailable:
    """The port's error for a transient `error`, to be raised `from error`."""
    return StoreUnavailable(f"PostgreSQL is unavailable: {error!r}")


@contextmanager
def reported_as_unavailable() -> Iterator[None]:
    """Re-raise a transient failure of the block as StoreUnavailable."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as e:
        if is_transient(e):
            raise unavailable(e) from e
        raise
