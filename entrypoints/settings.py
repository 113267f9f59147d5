"""Configuration from the environment (prefix STATS_), with the old service's names as fallbacks."""

import hashlib
import logging
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# What asyncpg and redis-py accept; checked here, where the clients' own errors would come late
# and as tracebacks.
_URL_SCHEMES = {"database_url": ("postgresql", "postgres"), "redis_url": ("redis", "rediss", "unix")}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STATS_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    # "auto": JSON lines when stderr is not a terminal, human-readable when it is.
    log_format: Literal["auto", "json", "text"] = "auto"
    # One line per request (at INFO; what it costs: entrypoints/logging_setup.py). Turn it off
    # where a proxy or the metrics already tell enough.
    access_log: bool = True
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="one grade per request")
    max_batch_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="a batch")
    shutdown_timeout: float = Field(
        default=8.0, gt=0, description="on SIGTERM, seconds to let in-flight requests finish"
    )
    # A connection must deliver each request's head (its line and headers) within this many
    # seconds of opening or of its previous answer; an idle keep-alive connection is closed
    # after as long. Slow or stuck clients cannot hold the server's connections.
    request_header_timeout: float = Field(default=15.0, gt=0)
    ready_timeout: float = Field(
        default=1.0, gt=0, description="seconds per dependency check of /stats/ready and /metrics"
    )
    metrics_token: str | None = None  # when set, /metrics needs `Authorization: Bearer <token>`
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="the worker's /metrics port; 0: none"
    )

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
    worker_concurrency: int = Field(default=256, ge=1, description="messages processed at once")
    # The messages processed at once are recorded together: up to this many events per
    # transaction, waiting this many seconds for more, this many transactions at once.
    worker_batch_max_events: int = Field(default=1000, ge=1)
    worker_batch_linger: float = Field(default=0.002, ge=0)
    worker_batch_transactions: int = Field(default=2, ge=1)
    # The API puts the events of POSTs arriving within this many seconds (up to this many
    # events) into one queue message; each POST still returns only once it is queued.
    queue_timeout: float = Field(default=5.0, gt=0, description="seconds to queue a message")
    queue_coalesce_window: float = Field(default=0.002, ge=0)
    queue_coalesce_max_events: int = Field(default=256, ge=1)
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

    # Authentication: "auto" is on when a key is configured; with no key it is off on a loopback
    # address and the service refuses to start elsewhere. "off" must be said explicitly.
    auth: Literal["auto", "on", "off"] = "auto"
    jwt_secret: str | None = None  # HS256
    jwt_public_key: str | None = None  # RS256/ES256: PEM text or a path to a PEM file
    jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway: float = Field(default=30.0, ge=0, description="seconds of clock skew allowed")
    # Writes per client (token subject, else address), in events per second (0: unlimited),
    # counted in each API process; above it POSTs answer 429 with Retry-After.
    write_rate_limit: float = Field(default=5000.0, ge=0)
    write_burst: int = Field(default=20_000, ge=1, description="events a client may send at once")
    # Above this many queued messages not yet recorded, writes answer 503 (0: no limit).
    max_queue_backlog: int = Field(default=200_000, ge=0)
    # Browser origins allowed to call the API (CORS), e.g. ["https://app.classconnect.example"].
    cors_origins: list[str] = Field(default_factory=list)
    # Key of the per-course aliases under which students see their peers; by default derived
    # from the token key, so every replica configured alike gives the same aliases.
    pseudonym_key: str | None = None

    @property
    def pseudonym_key_bytes(self) -> bytes:
        material = self.pseudonym_key or self.jwt_secret or self.jwt_public_key or ""
        if not material and self.jwks_file:
            material = self.jwks_file.read_text()
        if not material:
            return secrets.token_bytes(32)  # nothing configured: aliases last for this process
        return hashlib.sha256(b"classconnect-stats pseudonyms\0" + material.encode()).digest()

    @field_validator("log_level")
    @classmethod
    def _a_known_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise PydanticCustomError("log_level", f"must be one of {', '.join(_LOG_LEVELS)}")
        return value

    @field_validator("database_url", "redis_url")
    @classmethod
    def _a_known_scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        schemes = _URL_SCHEMES[str(info.field_name)]
        if value and value.partition("://")[0].lower() not in schemes:
            starts = " or ".join(scheme + "://" for scheme in schemes)
            raise PydanticCustomError("url_scheme", f"must be a URL starting with {starts}")
        return value

    @property
    def queue_url(self) -> str | None:
        if self.redis_url:
            return self.redis_url
        if self.redis_host:
            return f"redis://{self.redis_host}:{self.redis_port}/0"
        return None
