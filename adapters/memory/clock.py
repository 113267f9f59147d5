from datetime import UTC, datetime, timedelta


class ManualClock:
    """A clock that moves only when told to: for tests."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, now: datetime) -> None:
        self._now = now
