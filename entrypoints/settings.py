"""Configuration from the environment (prefix STATS_), with the old service's names as fallbacks."""

from pathlib import Path

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
    data_dir: Path = Path("var/postgres")
    database_pool_size: int = Field(default=10, ge=1)

    @property
    def queue_url(self) -> str | None:
        if self.redis_url:
            return self.redis_url
        if self.redis_host:
            return f"redis://{self.redis_host}:{self.redis_port}/0"
        return None
