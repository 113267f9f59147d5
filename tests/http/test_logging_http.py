"""Logs: JSON lines for machines, text for people, one access line per request with its id."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from http_api import Api

from entrypoints.logging_setup import (
    ACCESS_LOG,
    AccessLog,
    configure_logging,
    log_format,
    request_id_var,
)
from entrypoints.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {
        name: logging.getLogger(name).level
        for name in ("taskiq.receiver.receiver",)
    }
    try:
        yield
    finally:
        ACCESS_LOG.configure(None, "json")
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, lvl in quiet.items():
            logging.getLogger(name).setLevel(lvl)


def test_auto_is_text_on_a_terminal_and_json_elsewhere() -> None:
    assert log_format("auto", Terminal()) == "text"
    assert log_format("auto", io.StringIO()) == "json"
    assert log_format("json", Terminal()) == "json"
    assert log_format("text", io.StringIO()) == "text"


@pytest.mark.usefixtures("restore_logging")
async def test_json_access_lines_carry_the_request(api: Api) -> None:
    out = io.StringIO()
    configure_logging(Settings(log={"format": "auto"}), stream=out)
    await api.send("GET", "/stats/course/c1/average", headers={"X-Request-ID": "abc"})
    ACCESS_LOG.flush()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "classconnect_stats.access"]
    assert len(access) == 1
    line = access[0]
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert {k: line[k] for k in ("method", "route", "path", "status", "request_id")} == {
        "method": "GET", "route": "/stats/course/{course_id}/average",
        "path": "/stats/course/c1/average", "status": 200, "request_id": "abc",
    }
    assert isinstance(line["duration_ms"], float)


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_for_people_and_exceptions_in_json() -> None:
    terminal = Terminal()
    configure_logging(Settings(), stream=terminal)
    logging.getLogger("some.where").warning("hello %s", "there")
    text = terminal.getvalue()
    assert "WARNING" in text and "some.where hello there" in text and not text.startswith("{")

    out = io.StringIO()
    configure_logging(Settings(log={"format": "json"}), stream=out)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("some.where").exception("failed")
    line = json.loads(out.getvalue())
    assert line["message"] == "failed" and "ValueError: boom" in line["exception"]


@pytest.mark.usefixtures("restore_logging")
def test_a_json_line_has_the_shape_of_an_access_line() -> None:
    out = io.StringIO()
    configure_logging(Settings(log={"format": "json"}), stream=out)
    logging.getLogger("some.where").warning("held %s", "back", extra={"repeats": 3})
    request_id_var.set("r-9")
    logging.getLogger("some.where").info("é")
    request_id_var.set(None)
    stamp = r'"time": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00"'
    first, second = out.getvalue().splitlines()
    assert re.fullmatch("{" + stamp + ', "level": "WARNING", "logger": "some.where", '
                        '"message": "held back", "repeats": 3}', first), first
    assert re.fullmatch("{" + stamp + ', "level": "INFO", "logger": "some.where", '
                        '"message": "é", "request_id": "r-9"}', second), second
    access = io.StringIO()
    log = AccessLog()
    log.configure(access, "json")
    log.line("GET", "/r", "/p", 200, 1.0, "r-9")
    log.flush()
    assert list(json.loads(access.getvalue()))[:4] == list(json.loads(first))[:4]


@pytest.mark.usefixtures("restore_logging")
def test_no_line_per_task_from_taskiq() -> None:
    configure_logging(Settings(log={"level": "DEBUG"}), stream=io.StringIO())
    receiver = logging.getLogger("taskiq.receiver.receiver")
    assert not receiver.isEnabledFor(logging.INFO)
    assert receiver.isEnabledFor(logging.WARNING)


@pytest.mark.usefixtures("restore_logging")
async def test_the_access_log_can_be_turned_off(api: Api) -> None:
    out = io.StringIO()
    configure_logging(Settings(log={"format": "json"}, http={"access_log": False}), stream=out)
    await api.send("GET", "/stats/course/c1/average")
    ACCESS_LOG.flush()
    logging.getLogger("classconnect_stats").warning("still logging")
    loggers = [json.loads(line)["logger"] for line in out.getvalue().splitlines()]
    assert loggers == ["classconnect_stats"]


def test_access_lines_are_json_whatever_the_path_holds() -> None:
    out = io.StringIO()
    log = AccessLog()
    log.configure(out, "json")
    path = '/stats/course/"quoted"\\back\nslash-é-\u2028'
    log.line("GET", "/stats/course/{course_id}/average", path, 404, 0.25, 'id-"1"')
    log.flush()
    line = json.loads(out.getvalue())
    assert line["path"] == path and line["request_id"] == 'id-"1"'
    assert line["message"] == f"GET {path} 404 0.2ms"
    assert (line["status"], line["duration_ms"], line["level"]) == (404, 0.25, "INFO")
    assert line["logger"] == "classconnect_stats.access"
    # the same time format as every other JSON line
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert out.getvalue().count("\n") == 1
