"""Answers kept ready: the serialised answers of reads, kept in the API process and dropped as
soon as the change feed names a course or student they read.

An answer is current while no change heard since its computation began names anything it read.
A request finds it current (a hit); or finds it stale while a recomputation is already in flight
and takes it if it is younger than `freshness` seconds (a stale hit); or else waits for the one
recomputation in flight for its key, starting it if there is none (a miss). Nothing is served
from the cache unless the feed is `listening` and the cache is running;
a reset forgets everything. Memory is bounded by `max_bytes`: the least recently used answers go
first.
"""

import asyncio
import contextlib
import hashlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from application.ports.changes import Change, ChangeFeed
from domain.values import CourseId, StudentId

# What an entry costs besides its body: its key, its headers, the objects holding it.
ENTRY_OVERHEAD = 400


@dataclass(frozen=True, slots=True)
class Reads:
    """The courses and students an answer was computed from: a change naming any of them
    makes it stale."""

    courses: frozenset[CourseId] = frozenset()
    students: frozenset[StudentId] = frozenset()

    def changed_by(self, change: Change) -> bool:
        return change.reset or bool(
            self.courses & change.courses or self.students & change.students
        )


@dataclass(frozen=True, slots=True)
class Computed:
    """A freshly computed answer: its bytes, what it read, and the bytes in it that stand for
    the moment it is served (None: it holds no such moment), for the server to fill in."""

    body: bytes
    reads: Reads
    now_mark: bytes | None = None


@dataclass(slots=True)
class Answer:
    body: bytes
    etag: str  # strong, from the bytes: the same answer has the same tag in every process
    reads: Reads
    made_at: float  # when its computation began (the cache's clock)
    now_mark: bytes | None = None  # as in Computed
    stale: bool = False

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@dataclass
class CacheCounts:
    """Plain counters, read by the metrics at a scrape."""

    hits: int = 0
    stale_hits: int = 0
    misses: int = 0
    bypasses: int = 0  # answered without the cache (not listening to changes, or off)
    evictions: int = 0
    entries: int = 0
    bytes: int = 0


@dataclass(eq=False)
class _Flight:
    task: "asyncio.Task[Answer]"
    started: float
    heard: list[Change] = field(default_factory=list)  # changes heard while it computes


class AnswerCache:
    def __init__(
        self,
        changes: ChangeFeed,
        *,
        max_bytes: int,
        freshness: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._changes = changes
        self._max_bytes = max_bytes
        self._freshness = freshness
        self._clock = clock
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._readers: dict[object, set[Hashable]] = {}  # course or student -> keys reading it
        self._flights: dict[Hashable, _Flight] = {}
        self._running = False
        self.counts = CacheCounts()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Keep answers for the block's duration, hearing the feed's changes."""
        if self._max_bytes <= 0:
            yield
            return
        with self._changes.subscribe() as subscription:
            hearing = asyncio.create_task(self._hear(subscription), name="answer-cache")
            self._running = True
            try:
                yield
            finally:
                self._running = False
                self._forget_all()
                hearing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await hearing

    @property
    def freshness(self) -> float:
        return self._freshness

    @property
    def in_use(self) -> bool:
        return self._running and self._changes.listening

    async def answer(self, key: Hashable, compute: Callable[[], Awaitable[Computed]]) -> Answer:
        """The answer for `key`: kept, or computed once for every request that waits for it."""
        if not self.in_use:
            self.counts.bypasses += 1
            computed = await compute()
            return _answer(computed, 0.0)
        asked_at = self._clock()
        kept = self._answers.get(key)
        if kept is not None:
            if not kept.stale:
                self._answers.move_to_end(key)
                self.counts.hits += 1
                return kept
            if key in self._flights and self._recent(kept, asked_at):
                self._answers.move_to_end(key)
                self.counts.stale_hits += 1
                return kept
        self.counts.misses += 1
        while True:
            answer = await asyncio.shield(self._flight(key, compute).task)
            if not answer.stale or self._recent(answer, asked_at) or not self.in_use:
                return answer
            # It began too long before the request, and a change it read came meanwhile.

    def _recent(self, answer: Answer, asked_at: float) -> bool:
        """Begun within `freshness` of the request (or after it)."""
        return asked_at - answer.made_at < self._freshness

    def _flight(self, key: Hashable, compute: Callable[[], Awaitable[Computed]]) -> _Flight:
        flight = self._flights.get(key)
        if flight is None:
            started = self._clock()
            task = asyncio.create_task(self._compute(key, compute, started))
            flight = self._flights[key] = _Flight(task, started)
            task.add_done_callback(_retrieve)
        return flight

    async def _compute(
        self, key: Hashable, compute: Callable[[], Awaitable[Computed]], started: float
    ) -> Answer:
        try:
            computed = await compute()
        finally:
            flight = self._flights.pop(key)
        answer = _answer(computed, started)
        answer.stale = any(computed.reads.changed_by(change) for change in flight.heard)
        if self.in_use:
            self._keep(key, answer)
        return answer

    def _keep(self, key: Hashable, answer: Answer) -> None:
        if answer.size > self._max_bytes:
            return
        self._drop(key)
        self._answers[key] = answer
        self.counts.bytes += answer.size
        if not answer.stale:
            for name in _names(answer.reads):
                self._readers.setdefault(name, set()).add(key)
        while self.counts.bytes > self._max_bytes:
            oldest = next(iter(self._answers))
            self._drop(oldest)
            self.counts.evictions += 1
        self.counts.entries = len(self._answers)

    def _drop(self, key: Hashable) -> None:
        answer = self._answers.pop(key, None)
        if answer is None:
            return
        self.counts.bytes -= answer.size
        for name in _names(answer.reads):
            readers = self._readers.get(name)
            if readers is not None:
                readers.discard(key)
                if not readers:
                    del self._readers[name]

    async def _hear(self, subscription: AsyncIterator[Change]) -> None:
        async for change in subscription:
            self.heard(change)

    def heard(self, change: Change) -> None:
        """Make stale every answer that read what `change` names; a reset forgets them all."""
        for flight in self._flights.values():
            flight.heard.append(change)
        if change.reset:
            self._forget_all()
            return
        for name in _names(Reads(change.courses, change.students)):
            for key in self._readers.pop(name, ()):
                answer = self._answers.get(key)
                if answer is not None:
                    answer.stale = True

    def _forget_all(self) -> None:
        self._answers.clear()
        self._readers.clear()
        self.counts.bytes = self.counts.entries = 0


def _answer(computed: Computed, made_at: float) -> Answer:
    body = computed.body
    return Answer(body, etag_of(body), computed.reads, made_at, computed.now_mark)


def _names(reads: Reads) -> Iterable[object]:
    """Courses and students as keys of one index (a course id is text, a student id a UUID)."""
    yield from reads.courses
    yield from reads.students


def _retrieve(task: "asyncio.Task[Answer]") -> None:
    """A computation no request waited for (a stale answer was served) may fail unseen."""
    if not task.cancelled():
        task.exception()
