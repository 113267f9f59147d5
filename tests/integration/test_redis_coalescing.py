"""The API's queue: concurrent publishes go out as one Redis stream entry, and each caller
returns only once that entry is written (or gets its error)."""

import asyncio
from collections.abc import Sequence

import pytest
import redis.asyncio as redis
from worker_redis_support import fast_container, grade_events, queue_settings

from adapters import event_codec
from adapters.queue.coalescing import CoalescingEventQueue
from adapters.queue.taskiq_publisher import TaskiqEventQueue
from domain.events import GradeEvent

pytestmark = pytest.mark.integration


async def test_concurrent_publishes_are_one_entry(redis_url: str, redis_namespace: str) -> None:
    settings = queue_settings(redis_url, redis_namespace)
    broker = fast_container(settings).adapters.broker()
    await broker.startup()
    client = redis.from_url(redis_url)
    try:
        queue = CoalescingEventQueue(
            TaskiqEventQueue(broker, timeout=5), window=0.05, max_events=1000
        )
        posts = [grade_events(1) for _ in range(20)]
        await asyncio.gather(*(queue.publish(events) for events in posts))
        # Every caller has returned: the entry is there, holding every event in call order.
        [(_, fields)] = await client.xrange(settings.queue.stream)
        message = broker.formatter.loads(fields[b"data"])
        assert event_codec.decode(message.args[0]) == [e for events in posts for e in events]
    finally:
        await client.aclose()
        await broker.shutdown()


class Down:
    def __init__(self) -> None:
        self.calls = 0

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        self.calls += 1
        raise ConnectionError("redis is down")


class Recording:
    """A queue that records the size of each batch it is handed."""

    def __init__(self) -> None:
        self.published: list[int] = []

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        self.published.append(len(events))


async def test_every_caller_gets_the_error() -> None:
    down = Down()
    queue = CoalescingEventQueue(down, window=0.05, max_events=1000)
    results = await asyncio.gather(
        *(queue.publish(grade_events(1)) for _ in range(5)), return_exceptions=True
    )
    assert down.calls == 1
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_a_full_batch_goes_at_once() -> None:
    recording = Recording()
    queue = CoalescingEventQueue(recording, window=60, max_events=4)
    await asyncio.wait_for(
        asyncio.gather(*(queue.publish(grade_events(1)) for _ in range(4))), timeout=5
    )
    assert recording.published == [4]


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    recording = Recording()
    queue = CoalescingEventQueue(recording, window=60, max_events=3)
    calls = [asyncio.create_task(queue.publish(grade_events(1))) for _ in range(2)]
    await asyncio.sleep(0)  # both wait in the window
    calls[0].cancel()
    calls.append(asyncio.create_task(queue.publish(grade_events(1))))  # fills it
    results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), timeout=5)
    assert isinstance(results[0], asyncio.CancelledError)
    assert results[1:] == [None, None]
    assert recording.published == [3]  # the events of the caller that gave up were queued all the same
