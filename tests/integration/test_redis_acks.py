"""Acknowledgements made together go out as one XACK, and each caller learns its outcome."""

import asyncio

import pytest
import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from worker_redis_support import fast_container, queue_settings

from adapters.queue.redis.acks import BatchedAcks
from adapters.queue.taskiq_publisher import TaskiqEventQueue

pytestmark = pytest.mark.integration

GROUP = "acks-test"


async def delivered(client: redis.Redis, stream: str, count: int) -> list[str]:
    """`count` entries, read by the group (so pending until acknowledged); their ids."""
    for n in range(count):
        await client.xadd(stream, {"data": str(n)})
    await client.xgroup_create(stream, GROUP, id="0")
    [(_, entries)] = await client.xreadgroup(GROUP, "c1", {stream: ">"}, count=count)
    return [entry_id.decode() for entry_id, _ in entries]


class CountingRedis(redis.Redis):
    xacks: list[tuple[str, ...]]  # set by the test

    async def xack(self, name: str, groupname: str, *ids: str) -> int:  # type: ignore[override]
        self.xacks.append(ids)
        return int(await super().xack(name, groupname, *ids))


async def test_acks_of_one_turn_share_one_xack(
    redis_url: str, redis_namespace: str, client: redis.Redis
) -> None:
    stream = f"{redis_namespace}:stream"
    ids = await delivered(client, stream, 5)
    counting = CountingRedis.from_url(redis_url)
    counting.xacks = []
    try:
        acks = BatchedAcks(lambda: counting, GROUP)
        await asyncio.gather(*(acks.ack(stream, entry_id) for entry_id in ids))
        # Every caller has returned: all are acknowledged, by one command.
        assert counting.xacks == [tuple(ids)]
        assert (await client.xpending(stream, GROUP))["pending"] == 0
        await acks.ack(stream, ids[0])  # later acks go out on their own
        assert len(counting.xacks) == 2
    finally:
        await counting.aclose()


async def test_every_caller_gets_the_error(redis_url: str) -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    try:
        acks = BatchedAcks(lambda: unreachable, GROUP)
        results = await asyncio.gather(
            *(acks.ack("s", f"1-{n}") for n in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, RedisConnectionError) for r in results)
    finally:
        await unreachable.aclose()


async def test_a_caller_that_gives_up_does_not_cancel_the_others(
    redis_namespace: str, client: redis.Redis, redis_url: str
) -> None:
    stream = f"{redis_namespace}:stream"
    ids = await delivered(client, stream, 3)
    own = redis.from_url(redis_url)
    try:
        acks = BatchedAcks(lambda: own, GROUP)
        calls = [asyncio.create_task(acks.ack(stream, entry_id)) for entry_id in ids]
        await asyncio.sleep(0)  # all three have joined the XACK
        calls[0].cancel()
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert isinstance(results[0], asyncio.CancelledError)
        assert results[1:] == [None, None]
        assert (await client.xpending(stream, GROUP))["pending"] == 0
    finally:
        await own.aclose()


async def test_published_messages_need_no_rewriting_on_delivery(
    redis_url: str, redis_namespace: str, client: redis.Redis
) -> None:
    """The API publishes the ack_type label as taskiq's Receiver reads it ("manual"), so the
    worker hands entries over as they are instead of re-encoding each one."""
    settings = queue_settings(redis_url, redis_namespace)
    broker = fast_container(settings).adapters.broker()
    await broker.startup()
    try:
        await TaskiqEventQueue(broker, timeout=5).publish([])
        [(_, fields)] = await client.xrange(settings.queue.stream)
        assert broker.formatter.loads(fields[b"data"]).labels["ack_type"] == "manual"
    finally:
        await broker.shutdown()
