"""The README's tour is true: each of its curl requests, sent to the API, gets the answer the
README shows (but for the event ids, which are new on every run)."""

import json
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from http_api import Api

from adapters.memory import ManualClock

README = Path(__file__).resolve().parents[2] / "README.md"
AN_EVENT_ID = re.compile(r'"event_id":"[0-9a-f-]{36}"')


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 6, 20, 0, tzinfo=UTC))  # after the tour's graded_at


def tour() -> list[tuple[list[str], str]]:
    """(the curl command's arguments, the answer shown below it), in the README's order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## A five-request tour\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```\n```json\n(.*?)\n```", section, re.DOTALL)
    steps = []
    for command, answer in blocks:
        lines = [line for line in command.splitlines() if not line.startswith("#")]
        steps.append((shlex.split(" ".join(line.rstrip("\\") for line in lines)), answer))
    return steps


def request(arguments: list[str]) -> tuple[str, str, dict[str, Any]]:
    """The method, path and request options a curl command line stands for."""
    assert arguments[0] == "curl"
    method, url, options, headers = "GET", "", {}, {}
    words = iter(arguments[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(": ")
            headers[name] = value
        elif word == "-d":
            options["data"] = next(words)
        else:
            url = word
    assert url.startswith("localhost:8080/"), url
    return method, url.removeprefix("localhost:8080"), {**options, "headers": headers}


def test_the_tour_has_five_requests() -> None:
    assert len(tour()) == 5


async def test_every_request_gets_the_answer_shown(api: Api) -> None:
    for arguments, shown in tour():
        method, path, options = request(arguments)
        reply = await api.send(method, path, **options)
        answer = json.dumps(reply.body, separators=(",", ":"))
        assert AN_EVENT_ID.sub('"event_id":…', answer) == AN_EVENT_ID.sub('"event_id":…', shown)
