"""The event queue as operators and the write guard see it: its backlog, a report of its state,
and the dead letters (messages that could not be recorded, kept to be replayed)."""

from __future__ import annotations  # `list` is also a method name below

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

# Whether accepted events survive a restart of the queue's server: "aof" (append-only file),
# "rdb" (snapshots: what came after the last one is lost), "none", or "unknown" (the server does
# not say, e.g. a managed Redis with CONFIG disabled).
QueueDurability = Literal["aof", "rdb", "none", "unknown"]


@dataclass(frozen=True, slots=True)
class ConsumerState:
    """One consumer (a worker process) of a group."""

    name: str
    pending: int  # entries it was handed and has not acknowledged
    idle: float  # seconds since it last read or acknowledged


@dataclass(frozen=True, slots=True)
class GroupBacklog:
    name: str
    consumers: int
    pending: int  # delivered, not yet acknowledged
    lag: int | None  # not yet delivered (None when the queue cannot tell, e.g. after a deletion)
    oldest_pending_age: float | None  # seconds since the oldest pending entry was published
    consumer_states: tuple[ConsumerState, ...] = ()


@dataclass(frozen=True, slots=True)
class MinuteCount:
    """Grade events the workers recorded (`processed`) and gave up on (`failed`, dead-lettered)
    in the minute starting at `minute`, all workers together."""

    minute: datetime
    processed: int
    failed: int


@dataclass(frozen=True, slots=True)
class QueueStats:
    stream: str
    length: int
    groups: tuple[GroupBacklog, ...]
    dead_letters: int
    # Since when the workers are told not to take new entries (None: they consume).
    paused_since: datetime | None = None
    # The last hour, a minute at a time, oldest first (the current minute last).
    throughput: tuple[MinuteCount, ...] = ()


@dataclass(frozen=True, slots=True)
class QueueReset:
    """The queue's stream or consumer group vanished under a running worker (its server
    restarted without persistence, was flushed, or failed over to an empty replica): whatever
    was accepted and not yet recorded before `detected_at` is lost."""

    detected_at: datetime
    consumer: str  # the worker that noticed
    last_entry_id: str | None  # the last entry that worker had read, if any
    last_entry_at: datetime | None  # when it read it
    unfinished: int  # entries it held un-acknowledged, gone with the stream


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str
    message: bytes
    error: str
    attempts: int
    failed_at: datetime
    source_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able view (the message as text, undecodable bytes replaced)."""
        return {
            "id": self.id,
            "error": self.error,
            "attempts": self.attempts,
            "failed_at": self.failed_at.isoformat(),
            "source_id": self.source_id,
            "message": self.message.decode("utf-8", errors="replace"),
        }


class QueueInspector(Protocol):
    """Reads the queue's state; each method raises QueueUnavailable when it cannot."""

    async def ping(self) -> None: ...

    async def stats(self) -> QueueStats: ...

    async def durability(self) -> QueueDurability: ...

    async def last_reset(self) -> QueueReset | None:
        """The latest reset a worker reported, while it is recent enough to report."""
        ...

    async def backlog(self) -> int:
        """Messages accepted and not yet recorded (not delivered + not acknowledged), for the
        consumer group furthest behind; every message before any group exists."""
        ...


class QueueSwitch(Protocol):
    """Pausing the workers' consumption: a paused queue still accepts writes, and the workers
    finish what they hold but take nothing new until it is resumed."""

    async def pause(self) -> datetime | None:
        """Pause; returns since when, or None when it was already paused."""
        ...

    async def resume(self) -> bool:
        """Resume; False when it was not paused."""
        ...


class DeadLetters(Protocol):
    async def list(self, limit: int = 100, after: str | None = None) -> list[DeadLetter]:
        """Oldest first; pass the last id seen as `after` to page on."""
        ...

    async def count(self) -> int: ...

    async def replay(self, ids: Sequence[str] | None = None) -> int:
        """Queue these dead letters (all by default) again and delete them; returns how many."""
        ...

    async def delete(self, letter_id: str) -> bool:
        """Delete one dead letter for good; False when there is none of that id."""
        ...
