"""The one batching window behind the API's coalescing publisher and the worker's batched
recording: calls made together run as one operation, and each call gets that operation's outcome."""

import asyncio
from collections.abc import Sequence

import pytest

from adapters.queue.window import BatchingWindow


class Operation:
    """Records the batches it runs; fails any batch holding a "bad" item."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.running = 0
        self.most_running = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: Sequence[str]) -> int:
        self.batches.append(list(items))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        if "bad" in items:
            raise ValueError("bad item")
        return len(items)


async def test_calls_made_together_are_one_operation_and_share_its_outcome() -> None:
    operation = Operation()
    window: BatchingWindow[str, int] = BatchingWindow(operation, linger=60, max_size=3)
    results = await asyncio.wait_for(
        asyncio.gather(window(["a"]), window(["b", "c"])), timeout=5
    )
    assert operation.batches == [["a", "b", "c"]]
    assert results == [3, 3]


async def test_a_failed_batch_fails_every_call_unless_the_error_may_be_one_calls() -> None:
    operation = Operation()
    shared: BatchingWindow[str, int] = BatchingWindow(operation, linger=60, max_size=2)
    results = await asyncio.wait_for(
        asyncio.gather(shared(["a"]), shared(["bad"]), return_exceptions=True), timeout=5
    )
    assert all(isinstance(r, ValueError) for r in results)

    operation = Operation()
    alone: BatchingWindow[str, int] = BatchingWindow(
        operation, linger=60, max_size=2, retry_alone=lambda e: isinstance(e, ValueError)
    )
    results = await asyncio.wait_for(
        asyncio.gather(alone(["a"]), alone(["bad"]), return_exceptions=True), timeout=5
    )
    assert results[0] == 1 and isinstance(results[1], ValueError)
    assert operation.batches == [["a", "bad"], ["a"], ["bad"]]


@pytest.mark.parametrize("drop_abandoned", [False, True])
async def test_a_call_that_gives_up_leaves_the_others_and_its_items_as_told(
    drop_abandoned: bool,
) -> None:
    operation = Operation()
    window: BatchingWindow[str, int] = BatchingWindow(
        operation, linger=60, max_size=3, drop_abandoned=drop_abandoned
    )
    calls = [asyncio.create_task(window([item])) for item in ("a", "b")]
    await asyncio.sleep(0)  # both wait in the window
    calls[0].cancel()
    calls.append(asyncio.create_task(window(["c"])))  # fills it
    results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), timeout=5)
    assert isinstance(results[0], asyncio.CancelledError)
    assert operation.batches == ([["b", "c"]] if drop_abandoned else [["a", "b", "c"]])


async def test_no_more_than_max_flushes_batches_run_at_once() -> None:
    operation = Operation()
    operation.release.clear()
    window: BatchingWindow[str, int] = BatchingWindow(
        operation, linger=0, max_size=1, max_flushes=2
    )
    calls = [asyncio.create_task(window([str(i)])) for i in range(5)]
    while operation.running < 2:
        await asyncio.sleep(0)
    for _ in range(10):
        await asyncio.sleep(0)  # room for a third to start, were it allowed
    assert operation.running == 2
    operation.release.set()
    assert await asyncio.wait_for(asyncio.gather(*calls), timeout=5) == [1] * 5
    assert operation.most_running == 2
