"""The API's /metrics exports the gauges of a dependency only when the process has it: with no
Redis queue (events recorded in-process, `make run`'s default) no queue gauge, in particular no
`queue_scrape_success 0`, which an alert would take for a queue that cannot be inspected."""

from prometheus_client.parser import text_string_to_metric_families

from application.ports.errors import QueueUnavailable
from application.ports.queue import QueueDurability, QueueReset, QueueStats
from entrypoints.http.metrics import PREFIX, HttpMetrics

QUEUE_FAMILIES = {
    f"{PREFIX}_queue_{name}"
    for name in ("scrape_success", "stream_length", "pending", "lag", "consumers",
                 "oldest_pending_age_seconds", "dead_letters", "durability")
}
POOL_FAMILIES = {f"{PREFIX}_db_pool_connections{end}" for end in ("", "_in_use", "_max")}


class FakePool:
    def get_size(self) -> int:
        return 3

    def get_idle_size(self) -> int:
        return 1

    def get_max_size(self) -> int:
        return 10


class UnreachableQueue:
    """Every inspection fails, as with Redis down."""

    async def ping(self) -> None:
        raise QueueUnavailable("Redis is down")

    async def stats(self) -> QueueStats:
        raise QueueUnavailable("Redis is down")

    async def backlog(self) -> int:
        raise QueueUnavailable("Redis is down")

    async def durability(self) -> QueueDurability:
        raise QueueUnavailable("Redis is down")

    async def last_reset(self) -> QueueReset | None:
        raise QueueUnavailable("Redis is down")


def families(metrics: HttpMetrics) -> dict[str, list[float]]:
    text = metrics.exposition().decode()
    return {
        family.name: [sample.value for sample in family.samples]
        for family in text_string_to_metric_families(text)
    }


async def test_no_queue_and_no_pool_export_no_gauges_for_them() -> None:
    metrics = HttpMetrics()
    await metrics.refresh_gauges(queue=None, stream="s", pool=None, timeout=0.1)
    exported = families(metrics)
    assert not (QUEUE_FAMILIES | POOL_FAMILIES) & exported.keys()
    assert f"{PREFIX}_events_accepted" in exported


async def test_postgres_without_a_queue_exports_the_pool_and_no_queue_gauge() -> None:
    metrics = HttpMetrics()
    await metrics.refresh_gauges(queue=None, stream="s", pool=FakePool(), timeout=0.1)
    exported = families(metrics)
    assert not QUEUE_FAMILIES & exported.keys()
    assert exported[f"{PREFIX}_db_pool_connections_in_use"] == [2.0]
    assert exported[f"{PREFIX}_db_pool_connections_max"] == [10.0]


async def test_a_queue_that_cannot_be_inspected_still_reports_failure() -> None:
    metrics = HttpMetrics()
    await metrics.refresh_gauges(queue=UnreachableQueue(), stream="s", pool=None, timeout=0.1)
    assert families(metrics)[f"{PREFIX}_queue_scrape_success"] == [0.0]
