"""Idempotency keys in this process's memory (the in-process mode has one API process)."""

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from application.ports.idempotency import Remembered

MAX_KEYS = 1_000_000  # about 200 MB at most; the oldest are forgotten first


class InMemoryIdempotencyKeys:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # key -> (forgotten at, what is remembered); in the order they were last written
        self._keys: OrderedDict[uuid.UUID, tuple[float, Remembered]] = OrderedDict()

    async def claim(
        self, keys: list[tuple[uuid.UUID, str]], ttl: float
    ) -> list[Remembered | None]:
        now = self._clock()
        self._forget_expired(now)
        found: list[Remembered | None] = []
        for key, fingerprint in keys:
            known = self._keys.get(key)
            if known is None:
                self._put(key, now + ttl, Remembered(fingerprint, answered=False))
            found.append(None if known is None else known[1])
        return found

    async def answered(self, keys: list[tuple[uuid.UUID, str]], ttl: float) -> None:
        until = self._clock() + ttl
        for key, fingerprint in keys:
            self._put(key, until, Remembered(fingerprint, answered=True))

    async def release(self, keys: list[uuid.UUID]) -> None:
        for key in keys:
            self._keys.pop(key, None)

    def _put(self, key: uuid.UUID, until: float, remembered: Remembered) -> None:
        self._keys[key] = (until, remembered)
        self._keys.move_to_end(key)
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)

    def _forget_expired(self, now: float) -> None:
        # Every key lives the same ttl, so the order of writing is the order of expiry.
        while self._keys:
            key, (until, _) = next(iter(self._keys.items()))
            if until > now:
                return
            del self._keys[key]
