"""Configuration, grouped by concern (`settings.http.port`, `settings.database.url`, ...).

Every setting is declared once, with its default and the environment variables it is read from
(`port: int = setting(8080, "STATS_PORT", ge=1, le=65535)`): the flat `STATS_*` names, and the
old service's names as fallbacks (`SERVICE_STATS_POSTGRES_URL`, `ASYNC_QUEUE_HOST`,
`ASYNC_QUEUE_PORT`). Names are matched without regard to case. In code, a group is given as a
mapping or a model (`Settings(database={"storage": "memory"})`); what is not given is read from the
environment, and what is not set there takes the default written here, once.
"""

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def setting(default: Any, *variables: str, **constraints: Any) -> Any:
    """A setting: its default, the environment variables it is read from (the first one set
    wins) and the constraints on its value."""
    return Field(default, validation_alias=AliasChoices(*variables), **constraints)


def _url_with_scheme(value: str | None, schemes: tuple[str, ...]) -> str | None:
    """What asyncpg and redis-py accept, checked here: their own errors would come late and as
    tracebacks."""
    if value and value.partition("://")[0].lower() not in schemes:
        starts = " or ".join(scheme + "://" for scheme in schemes)
        raise PydanticCustomError("url_scheme", f"must be a URL starting with {starts}")
    return value


class _Group(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class LogSettings(_Group):
    level: str = setting("INFO", "STATS_LOG_LEVEL")
    # "auto": JSON lines when stderr is not a terminal, human-readable when it is.
    format: Literal["auto", "json", "text"] = setting("auto", "STATS_LOG_FORMAT")

    @field_validator("level")
    @classmethod
    def _a_known_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise PydanticCustomError("log_level", f"must be one of {', '.join(_LOG_LEVELS)}")
        return value


class HttpSettings(_Group):
    host: str = setting("127.0.0.1", "STATS_HOST")
    port: int = setting(8080, "STATS_PORT", ge=1, le=65535)
    # API processes sharing the port (`--processes` overrides): above 1, `serve` and `run`
    # supervise that many, each with its own pools and kept answers.
    processes: int = setting(1, "STATS_PROCESSES", ge=1)
    # One line per request (at INFO; what it costs: entrypoints/logging_setup.py). Turn it off
    # where a proxy or the metrics already tell enough.
    access_log: bool = setting(True, "STATS_ACCESS_LOG")
    # On SIGTERM, seconds to let in-flight requests finish.
    shutdown_timeout: float = setting(8.0, "STATS_SHUTDOWN_TIMEOUT", gt=0)
    # A connection must deliver each request's head (its line and headers) within this many
    # seconds of opening or of its previous answer; an idle keep-alive connection is closed
    # after as long. Slow or stuck clients cannot hold the server's connections.
    request_header_timeout: float = setting(15.0, "STATS_REQUEST_HEADER_TIMEOUT", gt=0)
    # Seconds per dependency check of /stats/ready and /metrics.
    ready_timeout: float = setting(1.0, "STATS_READY_TIMEOUT", gt=0)
    # A live stream (/stats/course/{id}/changes) ends after this many seconds; clients reconnect,
    # so a long-lived connection does not outlive a proxy's timeout or pin one process forever.
    live_stream_seconds: float = setting(300.0, "STATS_LIVE_STREAM_SECONDS", gt=0)
    # When set, /metrics needs `Authorization: Bearer <token>`.
    metrics_token: str | None = setting(None, "STATS_METRICS_TOKEN")
    # Bytes of serialised read answers each API process keeps ready (0: keep none).
    answer_cache_bytes: int = setting(64 * 1024 * 1024, "STATS_ANSWER_CACHE_BYTES", ge=0)
    # Seconds: how old an answer may be when it is served while its recomputation runs.
    answer_freshness: float = setting(1.0, "STATS_ANSWER_FRESHNESS", ge=0)
    # Browser origins allowed to call the API (CORS), e.g. ["https://app.classconnect.example"].
    cors_origins: list[str] = setting([], "STATS_CORS_ORIGINS")


class DatabaseSettings(_Group):
    # "memory" keeps everything in the process (nothing survives a restart); "postgres" uses
    # `url`, or the embedded server under `data_dir` when no URL is set.
    storage: Literal["postgres", "memory"] = setting("postgres", "STATS_STORAGE")
    url: str | None = setting(None, "STATS_DATABASE_URL", "SERVICE_STATS_POSTGRES_URL")
    data_dir: Path = setting(Path("var/postgres"), "STATS_DATA_DIR")
    pool_size: int = setting(10, "STATS_DATABASE_POOL_SIZE", ge=1)
    # Seconds per statement.
    timeout: float = setting(10.0, "STATS_DATABASE_TIMEOUT", gt=0)
    auto_migrate: bool = setting(True, "STATS_AUTO_MIGRATE")
    # Seconds between checks that the API's connection hearing the workers' changes is alive.
    changes_check_interval: float = setting(1.0, "STATS_CHANGES_CHECK_INTERVAL", gt=0)

    @field_validator("url")
    @classmethod
    def _a_postgres_url(cls, value: str | None) -> str | None:
        return _url_with_scheme(value, ("postgresql", "postgres"))


class QueueSettings(_Group):
    # A Redis URL (its database number is honoured); none means the in-process queue.
    redis_url: str | None = setting(None, "STATS_REDIS_URL")
    redis_host: str | None = setting(None, "ASYNC_QUEUE_HOST")
    redis_port: int = setting(6379, "ASYNC_QUEUE_PORT")
    # Where `classconnect-stats run` keeps its embedded Redis (Valkey) when no URL is set.
    data_dir: Path = setting(Path("var/redis"), "STATS_REDIS_DATA_DIR")
    stream: str = setting("classconnect-stats:events", "STATS_QUEUE_NAME")
    consumer_group: str = setting("classconnect-stats", "STATS_CONSUMER_GROUP")
    # Default: "<hostname>-<random>", one per process.
    consumer_name: str | None = setting(None, "STATS_QUEUE_CONSUMER_NAME")
    # Seconds before another worker takes over a silent entry.
    idle_timeout: float = setting(15.0, "STATS_QUEUE_IDLE_TIMEOUT", gt=0)
    # Seconds between trims to what every group acknowledged.
    trim_interval: float = setting(60.0, "STATS_QUEUE_TRIM_INTERVAL", gt=0)
    # Deliveries without an ack before an entry is dead-lettered.
    max_deliveries: int = setting(10, "STATS_QUEUE_MAX_DELIVERIES", ge=1)
    # Seconds to queue a message.
    timeout: float = setting(5.0, "STATS_QUEUE_TIMEOUT", gt=0)
    # Refuse to start when Redis keeps the queue without persistence (a restart loses it).
    require_durable: bool = setting(False, "STATS_QUEUE_REQUIRE_DURABLE")
    # Seconds readiness reports a queue reset (a vanished stream or group) after a worker saw it.
    reset_report_time: float = setting(3600.0, "STATS_QUEUE_RESET_REPORT_TIME", gt=0)
    # How long a write's event id (or Idempotency-Key) is remembered with its grade's
    # fingerprint: a retry within it is answered again without queueing, another grade under
    # the same id is refused. Kept in the queue's Redis (in memory without one).
    idempotency_window: float = setting(86_400.0, "STATS_IDEMPOTENCY_WINDOW", gt=0)
    # The API puts the events of POSTs arriving within this many seconds (up to this many
    # events) into one queue message; each POST still returns only once it is queued.
    coalesce_window: float = setting(0.002, "STATS_QUEUE_COALESCE_WINDOW", ge=0)
    coalesce_max_events: int = setting(256, "STATS_QUEUE_COALESCE_MAX_EVENTS", ge=1)

    @field_validator("redis_url")
    @classmethod
    def _a_redis_url(cls, value: str | None) -> str | None:
        return _url_with_scheme(value, ("redis", "rediss", "unix"))

    @property
    def url(self) -> str | None:
        """The Redis URL, from `redis_url` or else the old service's host and port."""
        if self.redis_url:
            return self.redis_url
        if self.redis_host:
            return f"redis://{self.redis_host}:{self.redis_port}/0"
        return None


class WorkerSettings(_Group):
    # Messages processed at once.
    concurrency: int = setting(256, "STATS_WORKER_CONCURRENCY", ge=1)
    # The messages processed at once are recorded together: up to this many events per
    # transaction, waiting this many seconds for more, this many transactions at once.
    batch_max_events: int = setting(1000, "STATS_WORKER_BATCH_MAX_EVENTS", ge=1)
    batch_linger: float = setting(0.05, "STATS_WORKER_BATCH_LINGER", ge=0)
    batch_transactions: int = setting(2, "STATS_WORKER_BATCH_TRANSACTIONS", ge=1)
    # On stop, seconds to let running messages finish.
    drain_timeout: float = setting(5.0, "STATS_WORKER_DRAIN_TIMEOUT", ge=0)
    # Tries of a message failing for a non-transient reason.
    max_attempts: int = setting(5, "STATS_WORKER_MAX_ATTEMPTS", ge=1)
    retry_initial_delay: float = setting(0.1, "STATS_RETRY_INITIAL_DELAY", gt=0)
    retry_max_delay: float = setting(5.0, "STATS_RETRY_MAX_DELAY", gt=0)
    # The worker's /metrics port; 0: none.
    metrics_port: int = setting(0, "STATS_WORKER_METRICS_PORT", ge=0, le=65535)


class AuthSettings(_Group):
    # "auto" is on when a key is configured; with no key it is off on a loopback address and the
    # service refuses to start elsewhere. "off" must be said explicitly.
    mode: Literal["auto", "on", "off"] = setting("auto", "STATS_AUTH")
    jwt_secret: str | None = setting(None, "STATS_JWT_SECRET")  # HS256
    # RS256/ES256: PEM text or a path to a PEM file.
    jwt_public_key: str | None = setting(None, "STATS_JWT_PUBLIC_KEY")
    jwks_file: Path | None = setting(None, "STATS_JWKS_FILE")
    jwt_issuer: str | None = setting(None, "STATS_JWT_ISSUER")
    jwt_audience: str | None = setting(None, "STATS_JWT_AUDIENCE")
    # Seconds of clock skew allowed.
    jwt_leeway: float = setting(30.0, "STATS_JWT_LEEWAY", ge=0)
    # Key of the per-course aliases under which students see their peers; by default derived
    # from the token key, so every replica configured alike gives the same aliases.
    pseudonym_key: str | None = setting(None, "STATS_PSEUDONYM_KEY")

    @property
    def pseudonym_key_bytes(self) -> bytes:
        material = self.pseudonym_key or self.jwt_secret or self.jwt_public_key or ""
        if not material and self.jwks_file:
            material = self.jwks_file.read_text()
        if not material:
            return secrets.token_bytes(32)  # nothing configured: aliases last for this process
        return hashlib.sha256(b"classconnect-stats pseudonyms\0" + material.encode()).digest()


class LimitsSettings(_Group):
    # One grade per request.
    max_body_bytes: int = setting(1024 * 1024, "STATS_MAX_BODY_BYTES", ge=1024)
    # A batch.
    max_batch_body_bytes: int = setting(10 * 1024 * 1024, "STATS_MAX_BATCH_BODY_BYTES", ge=1024)
    # Writes per client (token subject, else address), in events per second (0: unlimited),
    # counted in each API process; above it POSTs answer 429 with Retry-After.
    write_rate_limit: float = setting(5000.0, "STATS_WRITE_RATE_LIMIT", ge=0)
    # Events a client may send at once.
    write_burst: int = setting(20_000, "STATS_WRITE_BURST", ge=1)
    # Above this many queued messages not yet recorded, writes answer 503 (0: no limit).
    max_queue_backlog: int = setting(200_000, "STATS_MAX_QUEUE_BACKLOG", ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid")

    log: LogSettings = Field(default_factory=LogSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _Environment(settings_cls)


def settings_fields() -> Iterator[tuple[str, str, FieldInfo]]:
    """(group, field name, field) of every setting."""
    for group, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, _Group)
        for name, field in model.model_fields.items():
            yield group, name, field


def variables(field: FieldInfo) -> list[str]:
    """The environment variables a setting is read from, in the order they are tried."""
    alias = field.validation_alias
    assert isinstance(alias, AliasChoices), "every setting names its variables with setting()"
    return [choice for choice in alias.choices if isinstance(choice, str)]


def variables_of(group: str, name: str) -> list[str]:
    """The variables of the setting `name` of `group`."""
    return next(variables(f) for g, n, f in settings_fields() if (g, n) == (group, name))


class _Environment(PydanticBaseSettingsSource):
    """Each setting from the first of its variables that is set, under its group and its field
    name (so that an error names the field, and the CLI the variable it came from). A list is
    given as JSON."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ reads every group at once

    def __call__(self) -> dict[str, Any]:
        environ = {key.lower(): value for key, value in os.environ.items()}
        groups: dict[str, dict[str, Any]] = {}
        for group, name, field in settings_fields():
            variable = next((v for v in variables(field) if v.lower() in environ), None)
            if variable is None:
                continue
            value: Any = environ[variable.lower()]
            if self.field_is_complex(field):
                try:
                    value = json.loads(value)
                except ValueError as e:
                    raise SettingsError(f'error parsing value for field "{variable}"') from e
            groups.setdefault(group, {})[name] = value
        return groups


def redact(url: str) -> str:
    """The URL without its password."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        rest = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return scheme + sep + rest
