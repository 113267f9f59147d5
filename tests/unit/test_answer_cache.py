"""The answer cache over an in-process change feed and a clock the test moves: what it serves,
when it recomputes, and that it computes each answer once however many wait for it."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from adapters.change_fanout import ChangeFanOut
from application.ports.changes import RESET, Change
from entrypoints.http.answer_cache import ENTRY_OVERHEAD, AnswerCache, Computed, Reads, etag_of

MATH = Reads(frozenset({"math"}))
ANA = uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Feed(ChangeFanOut):
    def __init__(self) -> None:
        super().__init__()
        self.up = True

    @property
    def listening(self) -> bool:
        return self.up


class Source:
    """What the answers are computed from: a counter, read once per computation; `gate` holds
    computations until the test opens it."""

    def __init__(self, reads: Reads = MATH, now_mark: bytes | None = None) -> None:
        self.value = 0
        self.computed = 0
        self.reads = reads
        self.now_mark = now_mark
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail: Exception | None = None

    async def __call__(self) -> Computed:
        self.computed += 1
        value = self.value
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return Computed(str(value).encode(), self.reads, self.now_mark)


@pytest.fixture
def feed() -> Feed:
    return Feed()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def cache(feed: Feed, clock: Clock) -> AsyncIterator[AnswerCache]:
    cache = AnswerCache(feed, max_bytes=10_000, freshness=1.0, clock=clock)
    async with cache.running():
        yield cache


async def settle() -> None:
    """Let every task that can run run (the computations started, the changes taken)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def heard(feed: Feed, change: Change) -> None:
    feed.publish(change)
    await settle()


async def body(cache: AnswerCache, compute: Callable[[], Awaitable[Computed]], key: str = "k") -> bytes:
    return (await cache.answer(key, compute)).body


async def test_an_answer_is_computed_once_and_then_served_kept(cache: AnswerCache) -> None:
    source = Source()
    first = await cache.answer("k", source)
    source.value = 1  # unannounced: the kept answer stays
    second = await cache.answer("k", source)
    assert (first.body, second.body, source.computed) == (b"0", b"0", 1)
    assert first.etag == second.etag == etag_of(b"0")
    assert (cache.counts.hits, cache.counts.misses) == (1, 1)


async def test_a_change_naming_what_it_read_replaces_it(cache: AnswerCache, feed: Feed) -> None:
    source = Source(Reads(frozenset({"math"}), frozenset({ANA})))
    assert await body(cache, source) == b"0"
    source.value = 1
    await heard(feed, Change(frozenset({"art"}), frozenset({uuid.uuid4()})))
    assert await body(cache, source) == b"0"  # another course and student: kept
    await heard(feed, Change(frozenset(), frozenset({ANA})))
    assert await body(cache, source) == b"1"
    source.value = 2
    await heard(feed, Change(frozenset({"math"})))
    assert await body(cache, source) == b"2"
    assert source.computed == 3


async def test_a_reset_forgets_everything(cache: AnswerCache, feed: Feed) -> None:
    source = Source()
    await body(cache, source)
    source.value = 1
    await heard(feed, RESET)
    assert await body(cache, source) == b"1"
    assert cache.counts.entries == 1


async def test_nothing_is_kept_while_changes_are_not_heard(cache: AnswerCache, feed: Feed) -> None:
    source = Source()
    await body(cache, source)
    feed.up = False
    source.value = 1
    assert await body(cache, source) == b"1"
    assert await body(cache, source) == b"1"
    assert source.computed == 3
    assert cache.counts.bypasses == 2


async def test_nothing_is_kept_when_the_cache_is_not_running(feed: Feed) -> None:
    cache = AnswerCache(feed, max_bytes=10_000, freshness=1.0)
    source = Source()
    await body(cache, source)
    await body(cache, source)
    assert source.computed == 2


async def test_requests_waiting_together_share_one_computation(cache: AnswerCache) -> None:
    source = Source()
    source.gate.clear()
    waiting = [asyncio.create_task(body(cache, source)) for _ in range(10)]
    await settle()
    source.gate.set()
    assert await asyncio.gather(*waiting) == [b"0"] * 10
    assert source.computed == 1


async def test_a_stale_answer_is_served_during_its_recomputation_only_while_young(
    cache: AnswerCache, feed: Feed, clock: Clock
) -> None:
    source = Source()
    await body(cache, source)  # made at 0
    source.value = 1
    await heard(feed, Change(frozenset({"math"})))
    source.gate.clear()
    clock.now = 0.5
    first = asyncio.create_task(body(cache, source))  # starts the recomputation, waits for it
    await settle()
    assert not first.done()
    assert await body(cache, source) == b"0"  # meanwhile: the previous answer, 0.5 s old
    clock.now = 1.0
    late = asyncio.create_task(body(cache, source))  # 1 s old is too old: waits
    await settle()
    assert not late.done()
    source.gate.set()
    assert (await first, await late) == (b"1", b"1")
    assert source.computed == 2
    assert cache.counts.stale_hits == 1


async def test_with_no_recomputation_in_flight_a_stale_answer_is_not_served(
    cache: AnswerCache, feed: Feed
) -> None:
    source = Source()
    await body(cache, source)
    source.value = 1
    await heard(feed, Change(frozenset({"math"})))
    assert await body(cache, source) == b"1"  # read after the change: sees it


async def computing_across_a_change(
    cache: AnswerCache, feed: Feed, source: Source
) -> "asyncio.Task[bytes]":
    """A request whose computation reads, then a change to what it read is committed and heard
    while it is still running (until the test opens the source's gate)."""
    source.gate.clear()
    computing = asyncio.create_task(body(cache, source))
    await settle()
    source.value = 1
    await heard(feed, Change(frozenset({"math"})))
    return computing


async def test_a_change_during_the_computation_leaves_its_answer_stale(
    cache: AnswerCache, feed: Feed, clock: Clock
) -> None:
    source = Source()
    computing = await computing_across_a_change(cache, feed, source)
    source.gate.set()
    assert await computing == b"0"  # what it read, for the request that asked before the change
    clock.now = 5.0
    assert await body(cache, source) == b"1"


async def test_a_request_does_not_take_an_outdated_computation_begun_too_long_before_it(
    cache: AnswerCache, feed: Feed, clock: Clock
) -> None:
    source = Source()
    early = await computing_across_a_change(cache, feed, source)
    clock.now = 2.0
    later = asyncio.create_task(body(cache, source))  # joins the computation begun at 0
    await settle()
    source.gate.set()
    assert (await early, await later) == (b"0", b"1")


async def test_an_answer_keeps_its_mark_for_the_time_it_is_served(
    cache: AnswerCache, clock: Clock
) -> None:
    source = Source(now_mark=b"NOW")
    computed = await cache.answer("k", source)
    clock.now = 3600.0  # the time passing changes nothing kept: only a change does
    kept = await cache.answer("k", source)
    assert (computed.now_mark, kept.now_mark, source.computed) == (b"NOW", b"NOW", 1)


async def test_a_failure_reaches_every_waiter_and_is_not_kept(cache: AnswerCache) -> None:
    source = Source()
    source.gate.clear()
    source.fail = RuntimeError("down")
    waiting = [asyncio.create_task(body(cache, source)) for _ in range(3)]
    await settle()
    source.gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    source.fail = None
    assert await body(cache, source) == b"0"
    assert source.computed == 2


async def test_memory_is_bounded_by_bytes_least_recently_used_first(
    feed: Feed, clock: Clock
) -> None:
    size = ENTRY_OVERHEAD + 1  # each answer is one byte
    cache = AnswerCache(feed, max_bytes=3 * size, freshness=1.0, clock=clock)
    source = Source()
    async with cache.running():
        for key in "abc":
            await body(cache, source, key)
        await body(cache, source, "a")  # a is now the most recently used
        await body(cache, source, "d")  # b goes
        assert cache.counts.evictions == 1
        assert cache.counts.bytes == 3 * size
        computed = source.computed
        for key in "acd":
            await body(cache, source, key)
        assert source.computed == computed
        await body(cache, source, "b")
        assert source.computed == computed + 1


async def test_an_answer_larger_than_the_bound_is_not_kept(feed: Feed) -> None:
    cache = AnswerCache(feed, max_bytes=ENTRY_OVERHEAD, freshness=1.0)
    source = Source()
    async with cache.running():
        await body(cache, source)
        await body(cache, source)
    assert source.computed == 2
    assert cache.counts.bytes == 0
