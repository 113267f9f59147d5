"""Configuration from the environment (prefix STATS_), with the old service's names as fallbacks."""

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STATS_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    max_body_bytes: int = 1024 * 1024

    # Storage: a PostgreSQL URL; none means the embedded server (or memory, see `storage`).
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("STATS_DATABASE_URL", "SERVICE_STATS_POSTGRES_URL"),
    )
    # Queue: a Redis URL (its database number is honoured); none means the in-process queue.
    redis_url: str | None = None
    redis_host: str | None = Field(default=None, validation_alias="ASYNC_QUEUE_HOST")
    redis_port: int = Field(default=6379, validation_alias="ASYNC_QUEUE_PORT")
    queue_name: str = "classconnect-stats:events"
    consumer_group: str = "classconnect-stats"
    queue_consumer_name: str | None = None  # default: "<hostname>-<random>", one per process
    queue_idle_timeout: float = Field(
        default=60.0, gt=0, description="seconds before another worker takes over a silent entry"
    )
    queue_trim_interval: float = Field(
        default=60.0, gt=0, description="seconds between trims to what every group acknowledged"
    )
    queue_max_deliveries: int = Field(
        default=10, ge=1, description="deliveries without an ack before an entry is dead-lettered"
    )
    worker_concurrency: int = Field(default=10, ge=1, description="messages processed at once")
    worker_drain_timeout: float = Field(
        default=5.0, ge=0, description="on stop, seconds to let running messages finish"
    )
    worker_max_attempts: int = Field(
        default=5, ge=1, description="tries of a message failing for a non-transient reason"
    )
    retry_initial_delay: float = Field(default=0.1, gt=0)
    retry_max_delay: float = Field(default=5.0, gt=0)
    # "memory" keeps everything in the process (nothing survives a restart); "postgres" uses
    # database_url, or the embedded server under data_dir when no URL is set.
    storage: Literal["postgres", "memory"] = "postgres"
    data_dir: Path = Path("var/postgres")
    database_pool_size: int = Field(default=10, ge=1)
    database_timeout: float = Field(default=10.0, gt=0, description="seconds per statement")
    auto_migrate: bool = True

    @property
    def queue_url(self) -> str | None:
        if self.redis_url:
            return self.redis_url
        if self.redis_host:
            return f"redis://{self.redis_host}:{self.redis_port}/0"
        return None
