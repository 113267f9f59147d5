"""A taskiq Redis-stream broker that does not lose, strand or hoard messages.

On top of taskiq-redis' `RedisStreamBroker` (consumer groups, ack after processing):

- Recovery without traffic. Entries a dead consumer had taken are claimed (`XAUTOCLAIM`) every
  `reclaim_interval` from inside the listen loop, whether or not new entries arrive; the upstream
  broker only does it after a read that fetched something new.
- In-flight entries are kept fresh. While a task works on an entry (retrying through a database
  outage, say) the broker resets its idle time every `heartbeat_interval` (`XCLAIM ... JUSTID`),
  so other consumers do not take over an entry that is still being worked on.
- Release on shutdown. Entries this consumer still holds when it stops are marked idle
  (`XCLAIM ... IDLE`), so the next claim by any consumer takes them at once.
- Safe trimming. No `MAXLEN` on publish (it drops unread entries); every `trim_interval` the
  stream is trimmed to what every consumer group has acknowledged (see `retention`).
- Dead letters. Entries that are not taskiq messages, name an unknown task, or were delivered more
  than `max_deliveries` times (a message that crashes or hangs every worker) are moved to the
  dead-letter stream and acknowledged in one transaction. Tasks dead-letter their own failures
  with `dead_letter()`.
- Resets named. When the stream or the consumer group vanishes under the running worker (Redis
  restarted without persistence, was flushed, or failed over to an empty replica), the worker
  logs one `queue_reset` error saying what it last read, declares the group again, calls
  `on_reset` and leaves the reset next to the stream for `reset_report_time` seconds (see
  `resets`), where readiness reports it.
- Paused by operators. While `<queue>:paused` exists (see `switch`; read every
  `pulse_interval`), the worker reads and reclaims nothing, and finishes what it holds.
- Throughput. Tasks count the events they processed and failed (`count_outcomes`); the counts go
  to Redis every `pulse_interval`, per minute, all workers adding up (see `throughput`).
- Cancellable. Redis connections are made with `cancellable_connection_options()`, and
  `stopping` is set as soon as the listen loop ends so that tasks stop retrying.

Taskiq's Receiver acknowledges a message after the task returns or raises (unless the task's
`ack_type` label is `manual`); tasks registered with `ack_type=manual` are always delivered as
such here, even if an older publisher left the label out.
"""

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage
from taskiq.acks import AcknowledgeType
from taskiq.message import BrokerMessage, TaskiqMessage
from taskiq_redis import RedisStreamBroker

from adapters.queue.redis import stream_ids
from adapters.queue.redis.acks import BatchedAcks
from adapters.queue.redis.connection import cancellable_connection_options
from adapters.queue.redis.dead_letters import RedisDeadLetters
from adapters.queue.redis.failures import reported_as_unavailable
from adapters.queue.redis.resets import report_reset
from adapters.queue.redis.retention import trim_acknowledged
from adapters.queue.redis.switch import paused_key
from adapters.queue.redis.throughput import ThroughputTally
from application.ports.queue import QueueReset

log = logging.getLogger(__name__)

_MANUAL = AcknowledgeType.MANUAL.value
# Seconds a consumer that holds nothing may go without reading before it is removed from the
# group (so that the consumers of dead workers do not stay listed forever).
CONSUMER_EXPIRY = 3600.0
# KEYS[1] stream, ARGV group and consumer: delete the consumer only if it holds no entry, in one
# step (a check then a delete could drop an entry claimed in between).
_DELETE_IF_HOLDING_NOTHING = """
local held = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #held > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


@dataclass(frozen=True, slots=True)
class _Delivery:
    stream: str
    entry_id: str
    data: bytes
    task_id: str | None


def default_consumer_name() -> str:
    """Unique per process, readable in `XINFO CONSUMERS`."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class ReliableRedisStreamBroker(RedisStreamBroker):
    def __init__(
        self,
        url: str,
        *,
        queue_name: str,
        consumer_group_name: str,
        consumer_name: str | None,
        idle_timeout: float,
        trim_interval: float,
        max_deliveries: int,
        reclaim_interval: float | None = None,
        heartbeat_interval: float | None = None,
        xread_block_ms: int = 1000,
        xread_count: int = 100,
        xread_linger: float = 0.002,
        reclaim_batch_size: int = 100,
        max_connection_pool_size: int | None = None,
        reset_report_time: float = 3600.0,
        on_reset: Callable[[QueueReset], None] | None = None,
        pulse_interval: float = 1.0,
        **connection_kwargs: Any,
    ) -> None:
        """`idle_timeout` (seconds): how long an entry may sit un-acknowledged with a consumer
        that stopped refreshing it before another consumer takes it over. The database number
        in `url` is honoured (redis-py's `from_url`). `xread_linger` (seconds): after a read that
        fetched some entries but fewer than `xread_count`, wait this long before the next one,
        so that one read (one round trip, one wake-up) fetches several entries: under load a
        read then fetches several (each read costs a round trip and a wake-up); idle, a read
        blocks until an entry arrives and nothing waits. `xread_count` is enough to fill a
        worker's batch quickly."""
        if idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive")
        if xread_linger < 0:
            raise ValueError("xread_linger must be >= 0")
        options = {**cancellable_connection_options(), **connection_kwargs}
        super().__init__(
            url,
            queue_name=queue_name,
            max_connection_pool_size=max_connection_pool_size,
            consumer_group_name=consumer_group_name,
            consumer_name=consumer_name or default_consumer_name(),
            # A group created after entries were published must still read them.
            consumer_id="0",
            mkstream=True,
            xread_block=xread_block_ms,
            maxlen=None,
            idle_timeout=int(idle_timeout * 1000),
            unacknowledged_batch_size=reclaim_batch_size,
            xread_count=xread_count,
            **options,
        )
        self.reclaim_interval = reclaim_interval or idle_timeout / 2
        self.heartbeat_interval = heartbeat_interval or idle_timeout / 3
        self.trim_interval = trim_interval
        self.max_deliveries = max_deliveries
        self.xread_linger = xread_linger
        self.reset_report_time = reset_report_time
        self.on_reset = on_reset
        self.pulse_interval = pulse_interval
        self.paused = False
        self.throughput = ThroughputTally(queue_name)
        self._last_entry: tuple[str, float] | None = None  # the last read, and when (epoch s)
        self.stopping = asyncio.Event()
        self._in_flight: dict[str, _Delivery] = {}
        self._listened = False
        self._client: Redis | None = None
        self._acks = BatchedAcks(self._redis, consumer_group_name)

    def _redis(self) -> Redis:
        """One client over the broker's pool for publishing and acknowledging: building a
        client per command costs more than the command (redis-py copies its callback table)."""
        if self._client is None:
            self._client = Redis(connection_pool=self.connection_pool)
        return self._client

    # -- publishing ----------------------------------------------------------------------------

    async def kick(self, message: BrokerMessage) -> None:
        """XADD the message (no MAXLEN: trimming is by acknowledgement, see `retention`)."""
        queue_name = message.labels.get("queue_name") or self.queue_name
        with reported_as_unavailable():
            await self._redis().execute_command("XADD", queue_name, "*", "data", message.message)

    # -- dead letters and trimming -------------------------------------------------------------

    def dead_letters(self, redis: Redis | None = None) -> RedisDeadLetters:
        return RedisDeadLetters(redis or Redis(connection_pool=self.connection_pool), self.queue_name)

    async def dead_letter(self, message: TaskiqMessage, *, error: str, attempts: int) -> None:
        """Move the delivery of `message` to the dead letters and acknowledge it, atomically."""
        delivery = next((d for d in self._in_flight.values() if d.task_id == message.task_id), None)
        async with Redis(connection_pool=self.connection_pool) as redis:
            if delivery is None:
                # Not delivered by this broker's listen loop: keep what we can rebuild.
                await self.dead_letters(redis).add(
                    self.formatter.dumps(message).message, error=error, attempts=attempts
                )
                return
            await self._move_to_dead_letters(redis, delivery, error=error, attempts=attempts)

    async def _move_to_dead_letters(
        self, redis: Redis, delivery: _Delivery, *, error: str, attempts: int
    ) -> None:
        fields = RedisDeadLetters.fields(
            delivery.data, error=error, attempts=attempts, source_id=delivery.entry_id
        )
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_letters(redis).stream, fields)  # type: ignore[arg-type]
            pipe.xack(delivery.stream, self.consumer_group_name, delivery.entry_id)
            await pipe.execute()
        self._in_flight.pop(delivery.entry_id, None)
        log.error(
            "dead-lettered queue entry %s (attempts: %d): %s", delivery.entry_id, attempts, error
        )

    # -- acknowledgement -----------------------------------------------------------------------

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        async def _ack() -> None:
            # Acks made together (one commit settles many messages) share one XACK.
            await self._acks.ack(queue_name, id)
            self._in_flight.pop(id, None)

        return _ack

    # -- throughput and pausing ----------------------------------------------------------------

    def count_outcomes(self, processed: int = 0, failed: int = 0) -> None:
        """Grade events a task recorded, or gave up on; added to Redis within `pulse_interval`."""
        self.throughput.add(processed, failed)

    async def _pulse(self) -> None:
        """Every `pulse_interval`: add the counts to Redis, and read whether to pause."""
        while True:
            await asyncio.sleep(self.pulse_interval)
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    await self.throughput.flush(redis)
                    paused = bool(await redis.exists(paused_key(self.queue_name)))
            except RedisError as e:
                log.debug("queue pulse failed (will retry): %s", e)
                continue
            if paused != self.paused:
                log.warning("queue consumption %s by an operator",
                            "paused" if paused else "resumed")
                self.paused = paused

    # -- the listen loop -----------------------------------------------------------------------

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:  # type: ignore[override]
        self.stopping.clear()
        self._listened = True
        maintenance = asyncio.create_task(self._maintain(), name="redis-queue-maintenance")
        pulse = asyncio.create_task(self._pulse(), name="redis-queue-pulse")
        failures = 0
        try:
            async with Redis(connection_pool=self.connection_pool) as redis:
                with contextlib.suppress(RedisError):  # else the pulse tells within a second
                    self.paused = bool(await redis.exists(paused_key(self.queue_name)))
                next_reclaim = 0.0  # at once: recover what a previous worker left behind
                while True:
                    if self.paused:
                        await asyncio.sleep(min(0.2, self.pulse_interval))
                        continue
                    try:
                        if time.monotonic() >= next_reclaim:
                            batch = await self._reclaim(redis)
                            next_reclaim = time.monotonic() + self.reclaim_interval
                        else:
                            wait_ms = int((next_reclaim - time.monotonic()) * 1000)
                            batch = await self._read_new(redis, max(1, min(self.block, wait_ms)))
                        failures = 0
                    except ResponseError as e:
                        # NOGROUP: the group (or the stream) is gone; UNBLOCKED: the stream
                        # was deleted while this read waited on it (Redis 7)
                        if not (str(e).startswith("NOGROUP") or "no longer exists" in str(e)):
                            raise
                        await self._after_reset(redis)
                        continue
                    except (RedisConnectionError, RedisTimeoutError) as e:
                        failures += 1
                        delay = min(5.0, 0.1 * 2**failures)
                        log.warning("Redis unavailable (%s); retrying in %.1f s", e, delay)
                        await asyncio.sleep(delay)
                        continue
                    for message in batch:
                        yield message
                    if batch and len(batch) < self.count and self.xread_linger:
                        await asyncio.sleep(self.xread_linger)
        finally:
            self.stopping.set()
            for task in (maintenance, pulse):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _after_reset(self, redis: Redis) -> None:
        """The stream or the group is gone: say so once, and start over on a new group."""
        try:
            await self._declare_consumer_group()
        except (RedisConnectionError, RedisTimeoutError) as e:
            log.warning("Redis unavailable (%s); retrying in 1 s", e)
            await asyncio.sleep(1)
            return  # the next read finds the group missing again, and comes back here
        last_id, last_read = self._last_entry or (None, None)
        last_at = None if last_read is None else datetime.fromtimestamp(last_read, UTC)
        reset = QueueReset(
            datetime.now(UTC), self.consumer_name, last_id, last_at, len(self._in_flight)
        )
        log.error(
            "queue_reset: the consumer group %s of stream %s is gone: Redis restarted without "
            "persistence, was flushed, or failed over to an empty replica. Last entry read "
            "here: %s at %s; unfinished here: %d. Grades accepted and not yet recorded before "
            "now are lost: replay them from their senders with their event ids (replays count "
            "once). The group is declared again.",
            self.consumer_group_name, self.queue_name, last_id or "none",
            last_at.isoformat() if last_at else "-", reset.unfinished,
        )
        self._in_flight.clear()  # their entries went with the stream: nothing to refresh
        if self.on_reset is not None:
            self.on_reset(reset)
        try:
            await report_reset(redis, self.queue_name, reset, self.reset_report_time)
        except RedisError as e:
            log.warning("could not leave the queue reset for readiness to report: %s", e)

    async def _read_new(self, redis: Redis, block_ms: int) -> list[AckableMessage]:
        fetched = await redis.xreadgroup(
            self.consumer_group_name,
            self.consumer_name,
            {self.queue_name: ">"},
            block=block_ms,
            count=self.count,
        )
        entries: list[tuple[str, Any, Any]] = []
        for stream, stream_entries in _stream_items(fetched):
            entries.extend((stream, entry_id, fields) for entry_id, fields in stream_entries)
        return await self._admit_all(redis, entries, delivery_counts={})

    async def _reclaim(self, redis: Redis) -> list[AckableMessage]:
        claimed: list[tuple[str, Any, Any]] = []
        cursor: str | bytes = "0-0"
        while True:
            reply = await redis.xautoclaim(
                self.queue_name,
                self.consumer_group_name,
                self.consumer_name,
                min_idle_time=self.idle_timeout,
                start_id=cursor,
                count=self.unacknowledged_batch_size,
            )
            cursor, entries = reply[0], reply[1]
            for entry_id, fields in entries:
                if stream_ids.text(entry_id) in self._in_flight:
                    continue  # still being worked on here; the claim only refreshed it
                claimed.append((self.queue_name, entry_id, fields))
            if stream_ids.text(cursor) == "0-0" or len(claimed) >= self.unacknowledged_batch_size:
                break
        if not claimed:
            return []
        log.warning("reclaimed %d abandoned queue entries", len(claimed))
        async with redis.pipeline(transaction=False) as pipe:
            for _, entry_id, _ in claimed:
                pipe.xpending_range(
                    self.queue_name, self.consumer_group_name, min=entry_id, max=entry_id, count=1
                )
            replies = await pipe.execute()
        counts = {
            stream_ids.text(info["message_id"]): int(info["times_delivered"])
            for reply in replies
            for info in reply
        }
        return await self._admit_all(redis, claimed, delivery_counts=counts)

    async def _admit_all(
        self,
        redis: Redis,
        entries: Iterable[tuple[str, Any, Any]],
        delivery_counts: dict[str, int],
    ) -> list[AckableMessage]:
        admitted: list[AckableMessage] = []
        for stream, raw_id, fields in entries:
            entry_id = stream_ids.text(raw_id)
            stream = stream_ids.text(stream)
            if fields is None:  # deleted while pending (Redis 6.2 reports these in XAUTOCLAIM)
                await redis.xack(stream, self.consumer_group_name, entry_id)
                continue
            message = await self._admit(
                redis, stream, entry_id, fields, delivery_counts.get(entry_id, 1)
            )
            if message is not None:
                admitted.append(message)
        return admitted

    async def _admit(
        self, redis: Redis, stream: str, entry_id: str, fields: dict[bytes, bytes], deliveries: int
    ) -> AckableMessage | None:
        """The delivery as the Receiver should see it, or None once it is dead-lettered."""
        data = fields.get(b"data")
        if data is None:
            raw = repr({stream_ids.text(k): v for k, v in fields.items()}).encode()
            bad = _Delivery(stream, entry_id, raw, None)
            await self._move_to_dead_letters(redis, bad, error="no 'data' field", attempts=1)
            return None
        delivery = _Delivery(stream, entry_id, data, None)
        try:
            message = self.formatter.loads(data)
        except (ValueError, TypeError) as e:  # JSON or pydantic: not a message of ours
            error = f"not a taskiq message: {e!r}"[:2000]
            await self._move_to_dead_letters(redis, delivery, error=error, attempts=1)
            return None
        delivery = _Delivery(stream, entry_id, data, message.task_id)
        task = self.find_task(message.task_name)
        if task is None:
            error = f"unknown task {message.task_name!r}"
            await self._move_to_dead_letters(redis, delivery, error=error, attempts=deliveries)
            return None
        if deliveries > self.max_deliveries:
            error = (
                f"delivered {deliveries} times without being acknowledged: every consumer that "
                "took it crashed, hung or was stopped"
            )
            await self._move_to_dead_letters(redis, delivery, error=error, attempts=deliveries)
            return None
        manual = task.labels.get("ack_type") == AcknowledgeType.MANUAL
        if deliveries > 1 or (manual and message.labels.get("ack_type") != _MANUAL):
            if manual:
                message.labels["ack_type"] = _MANUAL
            # Tasks may read how often this entry was handed out (1, the default, unless it
            # was reclaimed).
            message.labels["delivery_count"] = deliveries
            data = self.formatter.dumps(message).message
        # else: the entry as published says all that (saves re-encoding every message)
        self._in_flight[entry_id] = delivery
        self._last_entry = (entry_id, time.time())
        return AckableMessage(data=data, ack=self._ack_generator(id=entry_id, queue_name=stream))

    # -- background upkeep while listening -----------------------------------------------------

    async def _maintain(self) -> None:
        next_trim = time.monotonic() + self.trim_interval
        while True:
            await asyncio.sleep(min(self.heartbeat_interval, self.trim_interval))
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    await self._refresh_in_flight(redis)
                    if time.monotonic() >= next_trim:
                        trimmed = await trim_acknowledged(redis, self.queue_name)
                        if trimmed:
                            log.info("trimmed %d acknowledged queue entries", trimmed)
                        await self._forget_idle_consumers(redis)
                        next_trim = time.monotonic() + self.trim_interval
            except RedisError as e:
                log.warning("queue upkeep failed (will retry): %s", e)

    async def _forget_idle_consumers(self, redis: Redis) -> None:
        """Remove from the group the consumers that hold nothing and have not read for
        `CONSUMER_EXPIRY` (workers that died or were scaled away; a live one that is removed
        is added back by its next read)."""
        consumers = await redis.xinfo_consumers(self.queue_name, self.consumer_group_name)
        for consumer in consumers:
            name = stream_ids.text(consumer["name"])
            idle_ms = int(consumer["idle"])
            if name == self.consumer_name or int(consumer["pending"]):
                continue
            if idle_ms >= CONSUMER_EXPIRY * 1000:
                # DELCONSUMER would drop entries it held: ask Redis to remove it only if none
                removed = await redis.eval(_DELETE_IF_HOLDING_NOTHING, 1, self.queue_name,
                                           self.consumer_group_name, name)
                if removed:
                    log.info("removed consumer %s: idle %d s, holding nothing",
                             name, idle_ms // 1000)

    async def _refresh_in_flight(
        self, redis: Redis, *, idle_ms: int | None = None, only: Iterable[_Delivery] | None = None
    ) -> None:
        """Reset (or with `idle_ms`, set) the idle time of the entries this consumer holds (or
        of `only` these)."""
        by_stream: dict[str, list[str]] = {}
        for delivery in list(self._in_flight.values()) if only is None else only:
            by_stream.setdefault(delivery.stream, []).append(delivery.entry_id)
        for stream, ids in by_stream.items():
            for start in range(0, len(ids), 500):
                await redis.xclaim(
                    stream,
                    self.consumer_group_name,
                    self.consumer_name,
                    min_idle_time=0,
                    message_ids=ids[start : start + 500],
                    idle=idle_ms,
                    justid=True,
                )

    # -- lifecycle -----------------------------------------------------------------------------

    async def startup(self) -> None:
        """Declare the consumer group (so it exists before anything is published)."""
        with reported_as_unavailable():
            await super().startup()

    async def shutdown(self) -> None:
        """Release what this consumer still holds (the next claim by anyone takes it at once),
        forget the consumer if it holds nothing, and close the pool."""
        self.stopping.set()
        if self._listened:
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    unfinished = await self._still_pending(redis, list(self._in_flight.values()))
                    if unfinished:
                        await self._refresh_in_flight(
                            redis, idle_ms=self.idle_timeout, only=unfinished
                        )
                        log.warning("released %d unfinished queue entries", len(unfinished))
                    self._in_flight.clear()
                    await self._forget_consumer_if_idle(redis)
                    await self.throughput.flush(redis)
            except RedisError as e:
                log.warning("could not release queue entries (they will time out): %s", e)
        if self._client is not None:
            await self._client.aclose(close_connection_pool=False)
            self._client = None
        await super().shutdown()

    async def _still_pending(self, redis: Redis, held: list[_Delivery]) -> list[_Delivery]:
        """Those of `held` that Redis still counts as pending here: an entry whose
        acknowledgement went out as the worker stopped is finished, not released."""
        if not held:
            return []
        pending = await redis.xpending_range(
            self.queue_name, self.consumer_group_name, min="-", max="+",
            count=len(held) + 1000, consumername=self.consumer_name,
        )
        ids = {stream_ids.text(info["message_id"]) for info in pending}
        return [delivery for delivery in held if delivery.entry_id in ids]

    async def _forget_consumer_if_idle(self, redis: Redis) -> None:
        pending = await redis.xpending_range(
            self.queue_name,
            self.consumer_group_name,
            min="-",
            max="+",
            count=1,
            consumername=self.consumer_name,
        )
        if not pending:
            await redis.xgroup_delconsumer(
                self.queue_name, self.consumer_group_name, self.consumer_name
            )


def _stream_items(fetched: Any) -> list[tuple[Any, Any]]:
    """XREADGROUP's reply as (stream, entries) pairs (RESP2, redis-py's default protocol)."""
    return [(stream, entries) for stream, entries in fetched or []]
