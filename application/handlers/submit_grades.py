"""Accept grades from the platform: queue them as events, all of them or none.

The commands arrive typed and held to the domain's rules by the edge that read them, at the same
`now` that is given here, so that a grade's "not in the future" and its acceptance time agree.

A command that names its event id (the client's idempotency key) is checked against the keys
remembered from the last `window` seconds, with its grade's fingerprint:
- a key never seen is claimed, and remembered as answered once the events are queued (or
  forgotten if queueing failed, so that a retry is not refused). The claim alone lasts
  `in_flight` seconds: a process that dies while queueing leaves it behind, and its client's
  retry must be accepted once the claim has lapsed (the id makes it count once either way);
- the same key with the same grade, already answered, is a retry: answered alike, not queued
  again (`Submitted.repeated`);
- the same key with another grade (in this request or an earlier one), or with its first
  submission still being queued, refuses the whole request (ReusedEventId), naming every such
  key; nothing is queued. The same key twice with the same grade in one request counts once.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from application.commands import SubmitCourseGrade, SubmitGrade, fingerprint
from application.ports import EventQueue
from application.ports.errors import QueueUnavailable
from application.ports.idempotency import IdempotencyKeys
from domain.errors import ReusedEventId
from domain.events import CourseGraded, GradeEvent, TaskGraded


@dataclass(frozen=True, slots=True)
class Submitted:
    event_ids: list[uuid.UUID]  # one per command, in order
    # those already accepted with the same grade (retries): answered again, not queued again
    repeated_ids: frozenset[uuid.UUID] = frozenset()

    @property
    def repeated(self) -> int:
        return len(self.repeated_ids)


class SubmitGradesHandler:
    def __init__(
        self,
        queue: EventQueue,
        keys: IdempotencyKeys | None = None,
        window: float = 86_400.0,
        in_flight: float = 30.0,
    ) -> None:
        self._queue = queue
        self._keys = keys
        self._window = window
        self._in_flight = min(in_flight, window)

    async def __call__(self, commands: Sequence[SubmitGrade], now: datetime) -> Submitted:
        """Queue the commands' events, accepted at `now` (those that are retries aside)."""
        events = [to_event(command, now) for command in commands]
        fingerprints: dict[uuid.UUID, str] = {}
        differing: dict[uuid.UUID, None] = {}
        for command in commands:
            if command.event_id is not None:
                print_ = fingerprint(command)
                if fingerprints.setdefault(command.event_id, print_) != print_:
                    differing[command.event_id] = None
        if differing:  # one request naming two grades by one id
            raise ReusedEventId(list(differing), in_flight=False)
        keyed = list(fingerprints.items())
        if self._keys is None or not keyed:
            await self._publish(events, events)
            return Submitted([e.event_id for e in events])
        keys = self._keys
        remembered = await keys.claim(keyed, self._in_flight)
        claimed = [key for key, known in zip(keyed, remembered, strict=True) if known is None]
        conflicting = [k for (k, f), known in zip(keyed, remembered, strict=True)
                       if known is not None and known.fingerprint != f]
        in_flight = [k for (k, f), known in zip(keyed, remembered, strict=True)
                     if known is not None and known.fingerprint == f and not known.answered]
        if conflicting or in_flight:
            await keys.release([key for key, _ in claimed])
            raise ReusedEventId(conflicting or in_flight, in_flight=not conflicting)
        repeats = frozenset(k for (k, _), known in zip(keyed, remembered, strict=True) if known)
        try:
            await self._publish([e for e in events if e.event_id not in repeats], events)
        except BaseException:
            await keys.release([key for key, _ in claimed])
            raise
        await keys.answered(claimed, self._window)
        return Submitted([e.event_id for e in events], repeats)

    async def _publish(self, events: Sequence[GradeEvent], request: Sequence[GradeEvent]) -> None:
        """Every event has its id before it is published, so that a queue that does not confirm
        names the ids of the whole request, the ones a retry must reuse."""
        try:
            await self._queue.publish(events)
        except QueueUnavailable as e:
            raise e.naming(event.event_id for event in request) from e


def to_event(command: SubmitGrade, now: datetime) -> GradeEvent:
    """The event a command stands for, accepted at `now` (also its graded_at when it has none)."""
    event_id = command.event_id or uuid.uuid4()
    graded_at = command.graded_at or now
    if isinstance(command, SubmitCourseGrade):
        return CourseGraded(
            event_id, command.student_id, command.course_id, command.grade, command.on_time,
            graded_at, now,
        )
    return TaskGraded(
        event_id, command.student_id, command.course_id, command.task_id, command.grade,
        command.on_time, graded_at, now,
    )
