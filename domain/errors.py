"""Domain errors: what can go wrong with a grade or a question about grades."""

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
