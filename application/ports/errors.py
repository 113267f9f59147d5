"""Failures of the outside world, as the ports report them: the adapters raise these (from the
driver's own exception), so nothing above them needs to know a driver's exception classes."""

import uuid
from collections.abc import Iterable


class Unavailable(Exception):
    """A database or queue is down, slow or restarting: the same work may well succeed later
    (a worker retries it; an HTTP client gets a 503)."""


class StoreUnavailable(Unavailable):
    """The grade store (and its readers) cannot be reached right now."""


class QueueUnavailable(Unavailable):
    """The event queue cannot be reached right now: what was being published may or may not be
    queued (a retry with the same event ids is safe). `event_ids`: the events that were being
    published, once a use case has named them."""

    def __init__(self, message: str, event_ids: Iterable[uuid.UUID] = ()) -> None:
        super().__init__(message)
        self.event_ids = tuple(event_ids)

    def naming(self, event_ids: Iterable[uuid.UUID]) -> "QueueUnavailable":
        """The same failure, naming the events whose fate it leaves unknown."""
        return QueueUnavailable(str(self), event_ids)
