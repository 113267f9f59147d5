"""The operators' queue routes over a real Redis and a running worker: the report (consumers,
pause, throughput), the dead letters with their payload, replaying and deleting them, pausing
and resuming consumption."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as redis
from http_api import Api

from adapters.memory import InMemoryDatabase, ManualClock
from adapters.queue.redis import RedisDeadLetters
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.integration.worker_redis_support import (
    Publisher,
    RunningWorker,
    eventually,
    grade_events,
    recorder,
    taskiq_message,
)

pytestmark = pytest.mark.integration
QUEUE = "/stats/admin/queue"


@pytest.fixture
def settings(redis_url: str, redis_namespace: str) -> Settings:
    return Settings(
        database={"storage": "memory"},
        queue={"redis_url": redis_url, "stream": f"{redis_namespace}:events",
               "consumer_group": f"{redis_namespace}-g"},
    )


@pytest.fixture
async def admin_api(
    aiohttp_client: Callable[[Any], Awaitable[Any]], settings: Settings, clock: ManualClock
) -> Api:
    container = build_container(settings)
    return Api(await aiohttp_client(create_app(container)), container, clock)


@pytest.fixture
async def letters(redis_url: str, settings: Settings) -> AsyncIterator[RedisDeadLetters]:
    client = redis.from_url(redis_url)
    yield RedisDeadLetters(client, settings.queue.stream)
    await client.aclose()


async def _report(api: Api) -> dict[str, Any]:
    reply = await api.get(QUEUE)
    assert reply.status == 200, reply.body
    report: dict[str, Any] = reply.body
    return report


async def test_a_dead_letter_is_shown_with_its_payload_and_replayed_to_the_worker(
    admin_api: Api, settings: Settings, letters: RedisDeadLetters
) -> None:
    [event] = grade_events(1)
    letter_id = await letters.add(taskiq_message([event]), error="db was down", attempts=5)
    page = await admin_api.get(f"{QUEUE}/dead-letters")
    assert page.status == 200
    [shown] = page.body["dead_letters"]
    assert (shown["id"], shown["error"], shown["attempts"]) == (letter_id, "db was down", 5)
    assert shown["payload"]["args"][0][0]["event_id"] == str(event.event_id)
    assert page.body["next_after"] is None
    assert (await _report(admin_api))["dead_letters"] == 1

    database = InMemoryDatabase()
    async with RunningWorker(settings, recorder(database)):
        replayed = await admin_api.send("POST", f"{QUEUE}/dead-letters/{letter_id}/replay")
        assert (replayed.status, replayed.body) == (200, {"replayed": 1})
        await eventually(lambda: event.event_id in database.course_grades)

        # the worker's count reaches Redis within its pulse, for every reader of the report
        async def processed() -> int:
            return sum(m["processed"] for m in (await _report(admin_api))["throughput"])
        assert await eventually(processed) == 1
        report = await _report(admin_api)
        [group] = report["groups"]
        [consumer] = group["consumer_states"]
        assert consumer["pending"] == 0 and consumer["idle"] >= 0
    assert len(report["throughput"]) == 60
    assert report["throughput"][-1]["processed"] == 1 and report["paused_since"] is None
    again = await admin_api.send("POST", f"{QUEUE}/dead-letters/{letter_id}/replay")
    assert again.status == 404 and letter_id in again.body["detail"]


async def test_dead_letters_are_deleted_one_at_a_time_or_replayed_all_at_once(
    admin_api: Api, settings: Settings, letters: RedisDeadLetters
) -> None:
    first = await letters.add(b"not json", error="boom", attempts=1)
    await letters.add(b"{}", error="bang", attempts=2)
    page = await admin_api.get(f"{QUEUE}/dead-letters", limit="1")
    [shown] = page.body["dead_letters"]
    assert shown["payload"] is None and shown["message"] == "not json"
    assert page.body["next_after"] == first
    deleted = await admin_api.send("DELETE", f"{QUEUE}/dead-letters/{first}")
    assert deleted.status == 204
    gone = await admin_api.send("DELETE", f"{QUEUE}/dead-letters/{first}")
    assert gone.status == 404
    assert (await admin_api.send("DELETE", f"{QUEUE}/dead-letters/first")).status == 400
    everything = await admin_api.send("POST", f"{QUEUE}/dead-letters/replay")
    assert everything.body == {"replayed": 1}
    assert await letters.count() == 0


async def test_a_paused_queue_is_not_consumed_until_it_is_resumed(
    admin_api: Api, settings: Settings
) -> None:
    database = InMemoryDatabase()
    first, event = grade_events(2)
    async with Publisher(settings) as publisher, RunningWorker(settings, recorder(database)):
        async def consumers() -> list[Any]:
            groups = (await _report(admin_api))["groups"]
            return [c for g in groups for c in g["consumer_states"]]

        await publisher.publish([first])  # a consumer is listed once it was handed an entry
        await eventually(lambda: first.event_id in database.course_grades)
        await eventually(consumers)
        paused = await admin_api.send("POST", f"{QUEUE}/pause")
        assert paused.status == 200 and paused.body["paused"] is True
        assert (await _report(admin_api))["paused_since"] == paused.body["paused_since"]
        twice = await admin_api.send("POST", f"{QUEUE}/pause")
        assert twice.status == 409

        async def worker_stopped_reading() -> bool:
            [consumer] = (await _report(admin_api))["groups"][0]["consumer_states"]
            return bool(consumer["idle"] > 1.5)  # it reads every 0.2 s while consuming

        await eventually(worker_stopped_reading)
        await publisher.publish([event])
        [group_report] = (await _report(admin_api))["groups"]
        assert group_report["lag"] == 1 and event.event_id not in database.course_grades

        resumed = await admin_api.send("POST", f"{QUEUE}/resume")
        assert resumed.body == {"paused": False, "paused_since": None}
        await eventually(lambda: event.event_id in database.course_grades)
    assert (await admin_api.send("POST", f"{QUEUE}/resume")).status == 409


async def test_the_queue_actions_need_a_queue(api: Api) -> None:
    for method, path in [("GET", f"{QUEUE}/dead-letters"),
                         ("POST", f"{QUEUE}/dead-letters/replay"),
                         ("POST", f"{QUEUE}/dead-letters/1-0/replay"),
                         ("DELETE", f"{QUEUE}/dead-letters/1-0"),
                         ("POST", f"{QUEUE}/pause"), ("POST", f"{QUEUE}/resume")]:
        reply = await api.send(method, path)
        assert reply.status == 404 and "no Redis queue" in reply.body["detail"], (path, reply)
