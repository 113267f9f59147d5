"""Operating the API over the real PostgreSQL and Redis: readiness, the queue's gauges, the pool's
gauges, and the queue report (the same from HTTP and from `classconnect-stats queue --json`)."""

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from http_api import Api
from test_ops_http import scrape, value

from adapters.memory import ManualClock
from adapters.postgres import migrate
from entrypoints.cli import queue as queue_command
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

pytestmark = pytest.mark.integration
ANA = "00000000-0000-4000-8000-00000000000a"


@pytest.fixture
def settings(fresh_database_url: str, redis_url: str, redis_namespace: str) -> Settings:
    return Settings(
        database={"url": fresh_database_url},
        queue={
            "redis_url": redis_url,
            "stream": f"{redis_namespace}:events",
            "consumer_group": f"{redis_namespace}-workers",
        },
    )


@pytest.fixture
async def service_api(
    aiohttp_client: Callable[[Any], Awaitable[Any]], settings: Settings, clock: ManualClock
) -> Api:
    assert settings.database.url
    await migrate(settings.database.url)
    container = build_container(settings)
    return Api(await aiohttp_client(create_app(container)), container, clock)


async def test_ready_checks_postgres_and_redis(service_api: Api) -> None:
    reply = await service_api.get("/stats/ready")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "ready"
    assert {name: c["status"] for name, c in reply.body["checks"].items()} == {
        "postgres": "ok", "redis": "ok"
    }


async def test_queue_and_pool_gauges_move_with_traffic(
    service_api: Api, settings: Settings
) -> None:
    stream = settings.queue.stream
    before = await scrape(service_api)
    assert value(before, "queue_scrape_success") == 1
    assert value(before, "db_pool_connections_max") == settings.database.pool_size
    for grade in (5, 6, 7):  # no worker runs: they stay in the stream
        await service_api.grade(student_id=ANA, course_id="c1", grade=grade)
    await service_api.get(f"/stats/student/{ANA}/course/c1")  # opens a pool connection
    after = await scrape(service_api)
    assert value(after, "queue_stream_length", stream=stream) - value(
        before, "queue_stream_length", stream=stream
    ) == 3
    group = settings.queue.consumer_group
    # the API's broker made the group; nothing delivered yet: all three are lag, none pending
    assert value(after, "queue_lag", stream=stream, group=group) == 3
    assert value(after, "queue_pending", stream=stream, group=group) == 0
    assert value(after, "queue_dead_letters", stream=stream) == 0
    assert value(after, "db_pool_connections") >= 1
    assert value(after, "events_accepted_total", kind="course_grade") == 3


async def test_the_queue_report_is_the_same_over_http_and_from_the_cli(
    service_api: Api, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await service_api.grade(student_id=ANA, course_id="c1", grade=5)
    reply = await service_api.get("/stats/admin/queue")
    assert reply.status == 200
    assert reply.body["stream"] == settings.queue.stream and reply.body["length"] == 1
    [group] = reply.body["groups"]
    assert (group["name"], group["pending"], group["lag"]) == (settings.queue.consumer_group, 0, 1)

    await asyncio.to_thread(queue_command._show, settings, argparse.Namespace(json=True))
    from_cli = json.loads(capsys.readouterr().out)
    # the same but for the hour of counts, whose window may have moved on a minute meanwhile
    assert len(from_cli.pop("throughput")) == len(reply.body.pop("throughput")) == 60
    assert from_cli == reply.body
    await asyncio.to_thread(queue_command._show, settings, argparse.Namespace(json=False))
    table = capsys.readouterr().out
    assert settings.queue.consumer_group in table and "oldest pending" in table
