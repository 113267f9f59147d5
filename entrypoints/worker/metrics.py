"""The worker's Prometheus counters: events processed and failed, by kind; queue resets.

They live in a registry of their own, per process: a worker serves it on its own port when
`STATS_WORKER_METRICS_PORT` is set (`serve_worker_metrics`); `classconnect-stats run`, where the
worker shares the API's process, adds it to the API's /metrics.
"""

import logging
from collections import Counter as Tally
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, start_http_server

from entrypoints.settings import Settings

log = logging.getLogger(__name__)
REGISTRY = CollectorRegistry(auto_describe=True)
PROCESSED = Counter(
    "classconnect_stats_events_processed",
    "Grade events a worker recorded (or found already recorded), by kind",
    ["kind"], registry=REGISTRY,
)
FAILED = Counter(
    "classconnect_stats_events_failed",
    "Grade events a worker gave up on (dead-lettered), by kind",
    ["kind"], registry=REGISTRY,
)

RESETS = Counter(
    "classconnect_stats_queue_resets",
    "Times the queue's stream or consumer group vanished under this worker (Redis restarted "
    "without persistence, flushed, or failed over to an empty replica): accepted grades not "
    "yet recorded were lost",
    registry=REGISTRY,
)


def count_reset(reset: object) -> None:
    """For the broker's `on_reset`."""
    RESETS.inc()


def _kinds(events: Iterable[Any]) -> Tally[str]:
    return Tally(
        str(e.get("kind", "unknown")) if isinstance(e, dict) else "unknown" for e in events
    )


def count_processed(events: Iterable[Any]) -> None:
    """`events` are the message's raw event dicts (their `kind` labels the count)."""
    for kind, n in _kinds(events).items():
        PROCESSED.labels(kind).inc(n)


def count_failed(events: Iterable[Any]) -> None:
    for kind, n in _kinds(events).items():
        FAILED.labels(kind).inc(n)


def serve_worker_metrics(settings: Settings) -> None:
    """Serve REGISTRY at http://<STATS_HOST>:<STATS_WORKER_METRICS_PORT>/metrics from a daemon
    thread (it ends with the process); nothing when the port is 0."""
    port = settings.worker.metrics_port
    if port:
        start_http_server(port, addr=settings.http.host, registry=REGISTRY)
        log.info("worker metrics on http://%s:%s/metrics", settings.http.host, port)
