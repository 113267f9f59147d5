"""Logging for every process: JSON lines for machines, readable lines for people.

`STATS_LOG_FORMAT=auto` (the default) writes JSON when stderr is not a terminal (a container, a
log shipper) and text when it is. Each JSON line has `time`, `level`, `logger`, `message`, the
`request_id` of the request being served (if any) and whatever the call passed in `extra=`
(the access log passes method, route, path, status, duration_ms).

Nothing is logged per event on the hot path: taskiq's receiver logs each task it runs, so it is
held at WARNING.
"""

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from entrypoints.settings import Settings

# The id of the request this task serves; set by the HTTP layer, read by every log line.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime"}
)
ACCESS_LOGGER = "classconnect_stats.access"
_QUIET_LOGGERS = ("taskiq.receiver.receiver", "taskiq.receiver", "aiohttp.access")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{text} [{request_id}]" if request_id else text


def log_format(setting: Literal["auto", "json", "text"], stream: TextIO) -> str:
    if setting != "auto":
        return setting
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Replace the root logger's handlers with one that writes to `stream` (stderr)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.addFilter(_RequestIdFilter())
    fmt = log_format(settings.log_format, stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger(ACCESS_LOGGER).setLevel(
        logging.NOTSET if settings.access_log else logging.WARNING
    )
