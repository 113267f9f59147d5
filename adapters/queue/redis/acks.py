"""Acknowledging many entries with one XACK.

The worker records the messages it processes at once in one transaction and settles them
together, so their acknowledgements arrive together: the ones made in the same turn of the event
loop go out as one `XACK stream group id...` per stream. Each caller returns (or raises) once
the XACK carrying its entry has: an entry is still acknowledged only after its commit.
"""

import asyncio
from collections.abc import Callable

from redis.asyncio import Redis


class BatchedAcks:
    def __init__(self, redis: Callable[[], Redis], group: str) -> None:
        self._redis = redis
        self._group = group
        self._waiting: dict[str, list[str]] = {}
        self._sent: asyncio.Future[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def ack(self, stream: str, entry_id: str) -> None:
        sent = self._sent
        if sent is None:
            sent = self._sent = asyncio.get_running_loop().create_future()
            # After the callbacks already scheduled for this turn: the other tasks settled by
            # the same commit add their entries first.
            asyncio.get_running_loop().call_soon(self._send)
        self._waiting.setdefault(stream, []).append(entry_id)
        # shield: a caller that gives up must not cancel the XACK the others wait for.
        await asyncio.shield(sent)

    def _send(self) -> None:
        waiting, sent = self._waiting, self._sent
        self._waiting, self._sent = {}, None
        if sent is None:
            return
        task = asyncio.create_task(self._xack(waiting, sent), name="redis-queue-xack")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _xack(self, waiting: dict[str, list[str]], sent: "asyncio.Future[None]") -> None:
        try:
            redis = self._redis()
            for stream, ids in waiting.items():
                await redis.xack(stream, self._group, *ids)
        except Exception as e:  # noqa: BLE001 - every caller gets it
            if not sent.done():
                sent.set_exception(e)
                sent.exception()  # retrieved: asyncio must not report it as never retrieved
        except BaseException:
            sent.cancel()  # the callers learn that their entries were not acknowledged
            raise
        else:
            if not sent.done():
                sent.set_result(None)
