"""Queue and worker tuning, read from Settings."""

from dataclasses import dataclass, field
from typing import Self

from entrypoints.settings import Settings
from entrypoints.worker.batching import BatchOptions
from entrypoints.worker.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class QueueOptions:
    consumer_name: str | None = None  # default: "<hostname>-<random>", unique per process
    idle_timeout: float = 60.0  # seconds before another consumer takes over a silent entry
    trim_interval: float = 60.0  # seconds between trims to what every group acknowledged
    max_deliveries: int = 10  # deliveries without an ack before an entry is dead-lettered
    xread_block_ms: int = 1000
    xread_count: int = 100  # entries fetched per read: enough to fill a batch quickly
    # After a read that fetched less than xread_count, wait this long before the next: under
    # load a read then fetches several entries (each read costs a round trip and a wake-up);
    # idle, a read blocks until an entry arrives and nothing waits.
    xread_linger: float = 0.002

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            consumer_name=settings.queue_consumer_name,
            idle_timeout=settings.queue_idle_timeout,
            trim_interval=settings.queue_trim_interval,
            max_deliveries=settings.queue_max_deliveries,
        )


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    concurrency: int = 256  # messages processed at once (and recorded together, see batching)
    drain_timeout: float = 5.0  # on stop, seconds to let running tasks finish
    stop_deadline: float = 9.5  # on stop, seconds before the process exits regardless
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batching: BatchOptions = field(default_factory=BatchOptions)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            concurrency=settings.worker_concurrency,
            drain_timeout=settings.worker_drain_timeout,
            retry=RetryPolicy(
                initial_delay=settings.retry_initial_delay,
                max_delay=settings.retry_max_delay,
                max_failed_attempts=settings.worker_max_attempts,
            ),
            batching=BatchOptions(
                max_events=settings.worker_batch_max_events,
                linger=settings.worker_batch_linger,
                max_transactions=settings.worker_batch_transactions,
            ),
        )
