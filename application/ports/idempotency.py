import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Remembered:
    """What is known of an idempotency key: the fingerprint of the request first sent with it,
    and whether that request was answered (else it is still in flight, or its sender died)."""

    fingerprint: str
    answered: bool


class IdempotencyKeys(Protocol):
    """The keys of recent writes, each with its request's fingerprint, for `ttl` seconds.

    `claim` remembers each key not yet known as in flight and returns, in the same order, None
    for those it claimed and what it remembered for the others; `answered` marks claimed keys
    as answered (kept for `ttl` seconds from now); `release` forgets claimed keys whose write
    failed, so that a retry is not refused."""

    async def claim(
        self, keys: list[tuple[uuid.UUID, str]], ttl: float
    ) -> list[Remembered | None]: ...

    async def answered(self, keys: list[tuple[uuid.UUID, str]], ttl: float) -> None: ...

    async def release(self, keys: list[uuid.UUID]) -> None: ...
