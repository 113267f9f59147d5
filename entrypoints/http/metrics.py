"""The API's Prometheus metrics, in a registry of the app's own (so that several apps in one
process, as in the tests, do not collide).

Counters move as requests are served; the gauges of the queue and of the database pool are read
when Prometheus scrapes (`refresh_gauges`), each read bounded by a short timeout so that a scrape
stays cheap while a dependency is down. A process without a Redis queue (events recorded
in-process) or without a pool (memory storage) exports no gauges for it: a
`queue_scrape_success` of 0 there would look like a queue that cannot be inspected.
"""

import asyncio
import itertools
import logging
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from adapters.postgres import ConnectionPool
from application.ports.queue import QueueDurability, QueueInspector
from entrypoints.http.answer_cache import CacheCounts

log = logging.getLogger(__name__)
PREFIX = "classconnect_stats"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; the API answers most requests in milliseconds, a slow dependency in seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_LE = tuple(floatToGoString(b) for b in LATENCY_BUCKETS) + ("+Inf",)
_LABELS = ("method", "route", "status")


class RequestSeries:
    """The request counter and latency histogram by (method, route template, status), counted
    in plain integers and handed to prometheus_client when it collects (at a scrape).
    prometheus_client's own Counter.inc and Histogram.observe take a lock each and walk the
    buckets: about 5 µs of a 40 µs request, measured with wrk on /stats/health."""

    def __init__(self) -> None:
        # key -> [count, sum of seconds, per-bucket counts (not cumulative), +Inf last]
        self._series: dict[tuple[str, str, int], list[Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        if method not in _METHODS:
            method = "other"  # a label per made-up method would grow the series without bound
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[(method, route, status)] = [0, 0.0, [0] * len(_LE)]
        series[0] += 1
        series[1] += seconds
        series[2][bisect_left(LATENCY_BUCKETS, seconds)] += 1  # the first bound >= seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            f"{PREFIX}_http_requests", "HTTP requests answered, by route template and status",
            labels=_LABELS,
        )
        latency = HistogramMetricFamily(
            f"{PREFIX}_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status", labels=_LABELS,
        )
        for (method, route, status), (count, total, buckets) in list(self._series.items()):
            labels = [method, route, str(status)]
            requests.add_metric(labels, count)
            cumulative = itertools.accumulate(buckets)
            latency.add_metric(labels, list(zip(_LE, cumulative, strict=True)), total)
        yield requests
        yield latency


class AnswerCacheSeries:
    """The answer cache's counters (plain integers it keeps), read at a scrape."""

    def __init__(self, counts: CacheCounts) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        c = self._counts
        served = CounterMetricFamily(
            f"{PREFIX}_answer_cache_requests",
            "Reads by how the answer cache served them: hit (a kept answer), stale (a kept answer "
            "younger than the freshness bound, while it is recomputed), miss (computed, or waited "
            "for), bypass (not kept: the change feed is not heard, or the cache is off)",
            labels=["result"],
        )
        for result, count in (("hit", c.hits), ("stale", c.stale_hits), ("miss", c.misses),
                              ("bypass", c.bypasses)):
            served.add_metric([result], count)
        yield served
        yield CounterMetricFamily(
            f"{PREFIX}_answer_cache_evictions", "Kept answers dropped to stay within the size bound",
            value=c.evictions,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_answer_cache_entries", "Answers kept now", value=c.entries
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_answer_cache_bytes", "Bytes of the answers kept now (with a fixed "
            "allowance per entry)", value=c.bytes,
        )


class HttpMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = RequestSeries()
        r.register(self.requests)
        self.events_accepted = Counter(
            f"{PREFIX}_events_accepted", "Grade events accepted (queued) by the API, by kind",
            ["kind"], registry=r,
        )
        self.events_repeated = Counter(
            f"{PREFIX}_events_repeated",
            "Grade events sent again with the same event id and grade within the idempotency "
            "window: answered as the first time, not queued again",
            ["kind"], registry=r,
        )
        self.events_rejected = Counter(
            f"{PREFIX}_events_rejected",
            "Grade events the API refused, by reason: invalid, reused_event_id, in_flight, "
            "throttled (rate limit or full queue), unavailable (the queue could not be reached)",
            ["reason"], registry=r,
        )
        # Exported only once refresh_gauges has seen the dependency they describe.
        self.queue_registry = q = CollectorRegistry(auto_describe=True)
        self.pool_registry = p = CollectorRegistry(auto_describe=True)
        self._has_queue = self._has_pool = False
        self.queue_up = Gauge(
            f"{PREFIX}_queue_scrape_success",
            "1 when the queue could be inspected at the last scrape, else 0", registry=q,
        )
        self.stream_length = Gauge(
            f"{PREFIX}_queue_stream_length", "Entries in the queue stream", ["stream"], registry=q
        )
        self.pending = Gauge(
            f"{PREFIX}_queue_pending",
            "Entries delivered to a consumer group and not acknowledged yet",
            ["stream", "group"], registry=q,
        )
        self.lag = Gauge(
            f"{PREFIX}_queue_lag", "Entries not delivered to a consumer group yet",
            ["stream", "group"], registry=q,
        )
        self.consumers = Gauge(
            f"{PREFIX}_queue_consumers", "Consumers in a consumer group",
            ["stream", "group"], registry=q,
        )
        self.oldest_pending = Gauge(
            f"{PREFIX}_queue_oldest_pending_age_seconds",
            "Age of the oldest entry a consumer group has not acknowledged (0: none)",
            ["stream", "group"], registry=q,
        )
        self.dead_letters = Gauge(
            f"{PREFIX}_queue_dead_letters", "Events that could not be recorded, kept for replay",
            ["stream"], registry=q,
        )
        self.durability = Gauge(
            f"{PREFIX}_queue_durability",
            "1 for the queue's persistence as Redis reports it (aof, rdb, none, unknown), 0 for "
            "the others: with none, a restart of Redis loses the grades not yet recorded",
            ["mode"], registry=q,
        )
        self.pool_size = Gauge(
            f"{PREFIX}_db_pool_connections", "Open PostgreSQL connections in this process's pool",
            registry=p,
        )
        self.pool_used = Gauge(
            f"{PREFIX}_db_pool_connections_in_use", "PostgreSQL connections lent out right now",
            registry=p,
        )
        self.pool_max = Gauge(
            f"{PREFIX}_db_pool_connections_max", "The pool's maximum size", registry=p
        )

    def watch_answer_cache(self, counts: CacheCounts) -> None:
        self.registry.register(AnswerCacheSeries(counts))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.observe(method, route, status, seconds)

    async def refresh_gauges(
        self,
        *,
        queue: QueueInspector | None,
        stream: str,
        pool: ConnectionPool | None,
        timeout: float,
    ) -> None:
        if pool is not None:
            self._has_pool = True
            self._read_pool(pool)
        if queue is not None:
            self._has_queue = True
            await self._read_queue(queue, stream, timeout)

    def _read_pool(self, pool: Any) -> None:
        size, idle = pool.get_size(), pool.get_idle_size()
        self.pool_size.set(size)
        self.pool_used.set(size - idle)
        self.pool_max.set(pool.get_max_size())

    async def _read_queue(self, queue: QueueInspector, stream: str, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                stats = await queue.stats()
                durability = await queue.durability()
        except Exception as e:  # noqa: BLE001 - a scrape must not fail because the queue does
            log.warning("metrics: cannot inspect the queue: %r", e)
            self.queue_up.set(0)
            return
        self.queue_up.set(1)
        for mode in get_args(QueueDurability):
            self.durability.labels(mode).set(1 if mode == durability else 0)
        self.stream_length.labels(stream).set(stats.length)
        self.dead_letters.labels(stream).set(stats.dead_letters)
        for gauge in (self.pending, self.lag, self.consumers, self.oldest_pending):
            gauge.clear()  # groups come and go
        for group in stats.groups:
            labels = (stream, group.name)
            self.pending.labels(*labels).set(group.pending)
            self.consumers.labels(*labels).set(group.consumers)
            self.oldest_pending.labels(*labels).set(group.oldest_pending_age or 0)
            if group.lag is not None:
                self.lag.labels(*labels).set(group.lag)

    def exposition(self, *extra: CollectorRegistry) -> bytes:
        registries = [self.registry]
        if self._has_queue:
            registries.append(self.queue_registry)
        if self._has_pool:
            registries.append(self.pool_registry)
        return b"".join(generate_latest(registry) for registry in (*registries, *extra))
