"""A failure that repeats is logged when it starts, then at most once an interval with a count."""

import io
import json
import logging

from entrypoints.logging_setup import RepeatThrottle, TextFormatter, json_formatter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _logger(stream: io.StringIO, clock: Clock, formatter: logging.Formatter) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.addFilter(RepeatThrottle(interval=5.0, clock=clock))
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test-repeats-{id(stream)}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    return logger


def test_an_outage_is_a_few_lines_with_counts() -> None:
    stream, clock = io.StringIO(), Clock()
    log = _logger(stream, clock, json_formatter())
    for second in range(12):  # 51 lines a second for 12 s, as a worker did while Postgres was down
        clock.now = 100.0 + second
        for attempt in range(51):
            log.warning("PostgreSQL unavailable (%s); retrying", f"attempt {attempt}")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line.get("repeats") for line in lines] == [None, 254, 254]
    assert sum(1 + line.get("repeats", 0) for line in lines) + 101 == 12 * 51  # 101 still held


def test_other_messages_and_info_lines_are_not_held_back() -> None:
    stream, clock = io.StringIO(), Clock()
    log = _logger(stream, clock, TextFormatter())
    for _ in range(3):
        log.warning("queue upkeep failed: %s", "x")
        log.error("could not release entries: %s", "y")
        log.info("an ordinary line")
    text = stream.getvalue()
    assert text.count("queue upkeep failed") == 1
    assert text.count("could not release entries") == 1
    assert text.count("an ordinary line") == 3
    clock.now += 5
    log.warning("queue upkeep failed: %s", "x")
    assert "queue upkeep failed: x (and 2 more like it held back)" in stream.getvalue()
