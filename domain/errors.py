"""Domain errors: what can go wrong with a grade or a question about grades."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every error the domain raises."""


class InvalidInput(DomainError, ValueError):
    """One or more values break the domain's rules; each failure names its field.

    Also a ValueError, so code that treats "a value was wrong" alike (the event codec's callers,
    for one) need not know the domain's own class."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))

    @classmethod
    def one(cls, field: str, message: str) -> "InvalidInput":
        return cls([FieldError(field, message)])


class NotFound(DomainError):
    """The thing asked about has no data."""


class ReusedEventId(DomainError):
    """An event id (or idempotency key) that already names another grade, or a grade whose
    first submission is still being queued. Nothing of the request was queued."""

    def __init__(self, event_ids: Sequence[uuid.UUID], *, in_flight: bool) -> None:
        self.event_ids = list(event_ids)
        self.in_flight = in_flight
        state = "are still being queued" if in_flight else "already name other grades"
        super().__init__(f"event ids that {state}: {', '.join(map(str, self.event_ids))}")
