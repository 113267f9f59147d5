"""Every command refuses alike, before it starts: one line on stderr naming what to fix, a
non-zero exit status, never a traceback. An invalid setting names the environment variable it
came from (exit 2); a command that needs Redis says so when none is configured or reachable
(exit 1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from entrypoints import cli
from entrypoints.cli import main
from entrypoints.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUEUE_VARIABLES = ("STATS_REDIS_URL", "ASYNC_QUEUE_HOST")
NEEDS_REDIS = [
    ["dead-letters", "list"],
    ["dead-letters", "replay"],
    ["dead-letters", "replay", "1-0"],
    ["queue"],
    ["queue", "--json"],
    ["serve"],
    ["worker"],
]


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No queue configured, and the process's logging left alone."""
    for name in list(os.environ):
        if name.upper().startswith("STATS_") or name.upper() in QUEUE_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setattr(cli, "configure_logging", lambda settings: None)


def refusal(argv: list[str]) -> SystemExit:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return exit_.value


@pytest.mark.parametrize("argv", NEEDS_REDIS, ids=" ".join)
def test_a_command_that_needs_redis_refuses_without_one(argv: list[str]) -> None:
    code = refusal(argv).code
    assert isinstance(code, str)  # printed on stderr, exit status 1
    assert "no Redis queue is configured: set STATS_REDIS_URL (or ASYNC_QUEUE_HOST)" in code
    assert "\n" not in code


@pytest.mark.parametrize("argv", [["queue"], ["dead-letters", "list"]], ids=" ".join)
def test_an_unreachable_redis_is_one_line_without_the_password(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATS_REDIS_URL", "redis://ops:s3cret@127.0.0.1:1/0")  # nothing listens
    code = refusal(argv).code
    assert isinstance(code, str)
    assert code.startswith("cannot reach the Redis queue at redis://ops:***@127.0.0.1:1/0: ")
    assert "s3cret" not in code


@pytest.mark.parametrize(
    ("environment", "argv", "message"),
    [
        ({"STATS_PORT": "99999"}, ["run"],
         "STATS_PORT: Input should be less than or equal to 65535 (got '99999')"),
        ({"STATS_PORT": "abc"}, ["token", "--role", "admin"],
         ("STATS_PORT: Input should be a valid integer, unable to parse string as an integer"
          " (got 'abc')")),
        ({"STATS_STORAGE": "mongo"}, ["migrate"],
         "STATS_STORAGE: Input should be 'postgres' or 'memory' (got 'mongo')"),
        ({"stats_worker_concurrency": "0"}, ["worker"],  # named as it was set
         "stats_worker_concurrency: Input should be greater than or equal to 1 (got '0')"),
        ({"ASYNC_QUEUE_PORT": "six"}, ["queue"],  # the old service's name, as set
         "ASYNC_QUEUE_PORT: Input should be a valid integer"),
        ({"STATS_CORS_ORIGINS": "https://a.example"}, ["run"],
         "STATS_CORS_ORIGINS: not valid JSON"),
        ({"STATS_CORS_ORIGINS": "[1]"}, ["run"],
         "STATS_CORS_ORIGINS[0]: Input should be a valid string (got 1)"),
        ({"STATS_LOG_LEVEL": "loud"}, ["verify"],
         "STATS_LOG_LEVEL: must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG (got 'loud')"),
        ({"SERVICE_STATS_POSTGRES_URL": "mysql://me:pw@db/stats"}, ["migrate"],
         ("SERVICE_STATS_POSTGRES_URL: must be a URL starting with postgresql:// or"
          " postgres:// (got 'mysql://me:***@db/stats')")),
        ({"STATS_REDIS_URL": "localhost:6379"}, ["queue"],
         "STATS_REDIS_URL: must be a URL starting with redis:// or rediss:// or unix://"),
        ({}, ["run", "--port", "70000"],
         "--port: Input should be less than or equal to 65535 (got 70000)"),
    ],
)
def test_an_invalid_setting_names_its_variable_and_exits_2(
    environment: dict[str, str], argv: list[str], message: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert refusal(argv).code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("invalid configuration: " + message), line


def test_every_invalid_setting_is_named_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATS_PORT", "abc")
    monkeypatch.setenv("STATS_AUTO_MIGRATE", "maybe")
    assert refusal(["run"]).code == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["STATS_PORT", "STATS_AUTO_MIGRATE"]


@pytest.mark.parametrize(
    ("environment", "argv", "status", "message"),
    [
        ({"STATS_PORT": "99999"}, ["run"], 2,
         ("invalid configuration: STATS_PORT: Input should be less than or equal to 65535"
          " (got '99999')")),
        ({}, ["dead-letters", "list"], 1,
         "dead letters are kept in the Redis queue, but no Redis queue is configured"),
    ],
)
def test_the_console_script_prints_one_line_and_no_traceback(
    environment: dict[str, str], argv: list[str], status: int, message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("STATS_")}
    env = {k: v for k, v in env.items() if k.upper() not in QUEUE_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *argv],
        cwd=ROOT, env={**env, **environment}, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert done.returncode == status, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(message), line
    assert done.stdout == ""


@pytest.mark.parametrize(
    "values",
    [
        {"log": {"level": "loud"}},
        {"queue": {"redis_url": "localhost:6379"}},
        {"database": {"url": "mysql://db/stats"}},
    ],
)
def test_the_settings_themselves_refuse_what_no_client_could_use(
    values: dict[str, dict[str, str]],
) -> None:
    # checked where Settings are made, so that `taskiq worker ...` refuses them too
    with pytest.raises(ValidationError):
        Settings(**values)  # type: ignore[arg-type]
