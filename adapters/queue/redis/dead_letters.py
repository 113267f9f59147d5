"""Dead letters: queue messages that could not be processed, kept for a person to list and replay.

They live in a Redis stream next to the queue (`<queue>:dead-letters`), each entry holding the
original message bytes, the error, the number of attempts, when it failed and where it came from.
Replaying re-publishes the original message to the queue and deletes the dead letter in one
atomic script, so a letter is never both replayed and kept, nor lost in between.
"""

from __future__ import annotations  # `list` is also a method name below

from collections.abc import Sequence
from datetime import UTC, datetime

from redis.asyncio import Redis

from adapters.queue.redis import stream_ids
from adapters.queue.redis.failures import reported_as_unavailable
from application.ports.queue import DeadLetter

DEAD_LETTERS_SUFFIX = ":dead-letters"

_REPLAY = """
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return false end
local fields = entries[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'message' then
    local new_id = redis.call('XADD', KEYS[2], '*', 'data', fields[i + 1])
    redis.call('XDEL', KEYS[1], ARGV[1])
    return new_id
  end
end
return redis.error_reply('dead letter ' .. ARGV[1] .. ' has no message field')
"""


def dead_letters_stream(queue_name: str) -> str:
    return queue_name + DEAD_LETTERS_SUFFIX


class RedisDeadLetters:
    """The dead letters of one queue stream (the DeadLetters port)."""

    def __init__(self, redis: Redis, queue_name: str, stream: str | None = None) -> None:
        self._redis = redis
        self.queue_name = queue_name
        self.stream = stream or dead_letters_stream(queue_name)
        self._replay = redis.register_script(_REPLAY)

    @staticmethod
    def fields(
        message: bytes, *, error: str, attempts: int, source_id: str | None = None
    ) -> dict[str, bytes | str | int]:
        """The stream entry of a dead letter; for writing it inside someone else's transaction."""
        fields: dict[str, bytes | str | int] = {
            "message": message,
            "error": error,
            "attempts": attempts,
            "failed_at": datetime.now(UTC).isoformat(),
        }
        if source_id is not None:
            fields["source_id"] = source_id
        return fields

    async def add(
        self, message: bytes, *, error: str, attempts: int, source_id: str | None = None
    ) -> str:
        fields = self.fields(message, error=error, attempts=attempts, source_id=source_id)
        return stream_ids.text(await self._redis.xadd(self.stream, fields))  # type: ignore[arg-type]

    async def list(self, limit: int = 100, after: str | None = None) -> list[DeadLetter]:
        """Oldest first; pass the last id seen as `after` to page on."""
        start = f"({after}" if after else "-"
        with reported_as_unavailable():
            entries = await self._redis.xrange(self.stream, min=start, max="+", count=limit)
        return [_dead_letter(entry_id, fields) for entry_id, fields in entries]

    async def count(self) -> int:
        with reported_as_unavailable():
            return int(await self._redis.xlen(self.stream))

    async def replay(self, ids: Sequence[str] | None = None) -> int:
        """Re-publish these dead letters (all of them by default) to the queue and delete them;
        returns how many were replayed (ids that are not, or no longer, dead letters are skipped).
        """
        if ids is None:
            ids = [letter.id for letter in await self._all()]
        replayed = 0
        for letter_id in ids:
            with reported_as_unavailable():
                new_id = await self._replay(keys=[self.stream, self.queue_name], args=[letter_id])
            replayed += new_id is not None
        return replayed

    async def delete(self, letter_id: str) -> bool:
        with reported_as_unavailable():
            return bool(await self._redis.xdel(self.stream, letter_id))

    async def _all(self) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        page = await self.list(limit=500)
        while page:
            letters.extend(page)
            page = await self.list(limit=500, after=page[-1].id)
        return letters


def _dead_letter(entry_id: bytes | str, fields: dict[bytes, bytes]) -> DeadLetter:
    source = fields.get(b"source_id")
    return DeadLetter(
        id=stream_ids.text(entry_id),
        message=fields.get(b"message", b""),
        error=fields.get(b"error", b"").decode("utf-8", errors="replace"),
        attempts=int(fields.get(b"attempts", b"0")),
        failed_at=datetime.fromisoformat(fields[b"failed_at"].decode())
        if b"failed_at" in fields
        else datetime.fromtimestamp(stream_ids.parse(entry_id)[0] / 1000, UTC),
        source_id=source.decode() if source else None,
    )
