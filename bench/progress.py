"""A progress bar on stderr: done/total, rate and time left. On a terminal it redraws one line;
otherwise (a log, CI) it prints a line every few seconds."""

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int, unit: str = "rows", stream: TextIO | None = None):
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._tty = self.stream.isatty()
        self._next_draw = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now >= self._next_draw:
            self._next_draw = now + (0.2 if self._tty else 5.0)
            self._draw(now)

    def finish(self) -> None:
        self._draw(time.monotonic())
        if self._tty:
            self.stream.write("\n")
        self.stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        line = (
            f"{self.label} [{bar:<30}] {share:6.1%} {self.done:,}/{self.total:,} "
            f"{rate:,.0f} {self.unit}/s ETA {_duration(left)}"
        )
        self.stream.write(f"\r{line}\033[K" if self._tty else f"{line}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
