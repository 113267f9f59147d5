"""The ChangeFeed over PostgreSQL: one dedicated connection per process LISTENs to the recording
transactions' notices (`change_notices`) and hands each to the process's subscribers.

While that connection is down, notices go unheard: the feed says it is not `listening` and
publishes a RESET, reconnects with a growing delay, and publishes a RESET again once it listens
(what committed meanwhile is unknown). A connection that dies silently is found by a `SELECT 1`
every `check_interval` seconds.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from adapters.change_fanout import ChangeFanOut
from adapters.postgres.change_notices import CHANNEL, change_of
from application.ports.changes import RESET

log = logging.getLogger(__name__)


class PostgresChangeFeed(ChangeFanOut):
    def __init__(
        self,
        url: str,
        *,
        check_interval: float = 1.0,
        initial_delay: float = 0.1,
        max_delay: float = 5.0,
    ) -> None:
        super().__init__()
        self._url = url
        self._check_interval = check_interval
        self._initial_delay = initial_delay
        self._max_delay = max_delay
        self._listening = False

    @property
    def listening(self) -> bool:
        return self._listening

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Listen for the block's duration (in the background: the block starts at once, with
        `listening` False until the connection is up)."""
        task = asyncio.create_task(self._listen_forever(), name="change-feed")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._stopped_listening()

    async def _listen_forever(self) -> None:
        delay = self._initial_delay
        while True:
            try:
                await self._listen_once()
                delay = self._initial_delay  # it was up: the next failure starts afresh
            except Exception as e:  # noqa: BLE001 - whatever broke it, listen again after a while
                if self._listening:
                    log.warning("stopped hearing changes (%s); reconnecting", e)
                else:
                    log.warning("cannot listen for changes (%s); retrying in %.1f s", e, delay)
            finally:
                self._stopped_listening()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_delay)

    async def _listen_once(self) -> None:
        timeout = max(self._check_interval, 1.0)
        connection = await asyncpg.connect(
            self._url,
            timeout=timeout,
            server_settings={"application_name": "classconnect-stats-changes"},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, self._heard)
            self._listening = True
            self.publish(RESET)  # what committed before this connection listened is unknown
            log.info("listening for changes")
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._check_interval)
                if not lost.is_set():
                    await asyncio.wait_for(connection.fetchval("SELECT 1"), timeout)
            raise ConnectionError("the listening connection was closed")
        finally:
            connection.terminate()

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.publish(change_of(payload))

    def _stopped_listening(self) -> None:
        if self._listening:
            self._listening = False
            self.publish(RESET)
