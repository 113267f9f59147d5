"""What must hold before a command runs, checked in one place so that every command refuses alike:
one line on stderr naming what to fix, a non-zero exit status, never a traceback.

- The configuration is readable: an invalid value exits with status 2, naming the environment
  variable the value came from (or the command-line option).
- A command that needs the Redis queue (`needs_redis`) exits with status 1 when none is
  configured, or when the one configured cannot be reached.
- A command that fails because PostgreSQL cannot be reached exits with status 1. (The API does
  not: it starts while PostgreSQL or Redis is down; see entrypoints.http.late_dependencies.)
"""

import argparse
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_settings import SettingsError

from application.ports.errors import QueueUnavailable, StoreUnavailable
from entrypoints.settings import Settings, redact, variables_of

INVALID_CONFIGURATION = 2
_VARIABLE_OF_SETTINGS_ERROR = re.compile(r'field "(\w+)"')


def needs_redis(command: argparse.ArgumentParser, why: str, instead: str = "") -> None:
    """Mark a command as one that cannot work without the Redis queue. The refusal reads
    "<why>, but no Redis queue is configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)<instead>".
    """
    command.set_defaults(needs_redis=(why, instead))


def refuse_without_redis(settings: Settings, args: argparse.Namespace) -> None:
    need: tuple[str, str] | None = getattr(args, "needs_redis", None)
    if need is not None and not settings.queue.url:
        why, instead = need
        sys.exit(
            f"{why}, but no Redis queue is configured: set STATS_REDIS_URL"
            f" (or ASYNC_QUEUE_HOST){instead}"
        )


@contextmanager
def dependencies_reachable(settings: Settings) -> Iterator[None]:
    """A command that fails because Redis or PostgreSQL does not answer says so in one line."""
    try:
        yield
    except QueueUnavailable as e:
        sys.exit(f"cannot reach the Redis queue at {redact(settings.queue.url or '?')}: {e}")
    except StoreUnavailable as e:
        sys.exit(f"cannot reach PostgreSQL at {redact(settings.database.url or '?')}: "
                 f"{e.__cause__ or e}")


def load_settings(overrides: Mapping[str, Any]) -> Settings:
    """Settings from the environment and the command line's `overrides` (an HTTP setting ->
    value, from `--host`/`--port`); on an invalid value, exit with one line per problem."""
    environ = os.environ
    try:
        settings = Settings(http=dict(overrides)) if overrides else Settings()
    except ValidationError as invalid:
        _refuse([_validation_problem(e, overrides, environ) for e in invalid.errors()])
    except SettingsError as unparsable:  # a list setting that is not valid JSON
        _refuse([_parsing_problem(unparsable, environ)])
    return settings


def _refuse(problems: list[str]) -> NoReturn:
    for problem in problems:
        print(f"invalid configuration: {problem}", file=sys.stderr)
    raise SystemExit(INVALID_CONFIGURATION)


def _validation_problem(
    error: Any, overrides: Mapping[str, Any], environ: Mapping[str, str]
) -> str:
    group, field, *inside = error["loc"]
    name = _where_set(str(group), str(field), overrides, environ)
    name += "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in inside)
    given = error["input"]
    return f"{name}: {error['msg']} (got {_shown(redact(given) if isinstance(given, str) else given)})"


def _shown(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parsing_problem(error: SettingsError, environ: Mapping[str, str]) -> str:
    match = _VARIABLE_OF_SETTINGS_ERROR.search(str(error))
    if match is None:
        return str(error)
    name = _spelling(environ, match.group(1))
    given = _lookup(environ, name)
    reason = f"not valid JSON ({error.__cause__})" if error.__cause__ else str(error)
    return f"{name}: {reason}" + (f" (got {_shown(given)})" if given is not None else "")


def _where_set(
    group: str, field: str, overrides: Mapping[str, Any], environ: Mapping[str, str]
) -> str:
    """The name the user gave the value under: the command-line option when it came from one,
    else the first of the setting's environment variables that is set (the one it was read
    from), else its main variable."""
    if group == "http" and field in overrides:
        return "--" + field.replace("_", "-")
    names = variables_of(group, field)
    for name in names:
        if _lookup(environ, name) is not None:
            return _spelling(environ, name)
    return names[0]


def _lookup(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value; names are matched without regard to case, as the settings do."""
    key = _spelling(environ, name)
    return environ.get(key)


def _spelling(environ: Mapping[str, str], name: str) -> str:
    if name in environ:
        return name
    return next((key for key in environ if key.lower() == name.lower()), name)
