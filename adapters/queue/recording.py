"""Recording the events of concurrent deliveries together: one transaction for many messages.

Every delivery (a queue message) calls the recorder and waits. The first one to arrive starts a
flush: it lingers `linger` seconds (or until `max_events` events wait), then records everything
waiting in one transaction, and every message in it learns the outcome once the transaction has
committed (so its task acknowledges it only then). Messages arriving meanwhile form the next
batch; up to `max_transactions` batches are recorded at once (see `window`).

Failures keep the semantics of recording one message at a time:
- an unavailable store (the database is down) fails every message of the batch; each task
  retries its own, and the retries are batched again;
- any other failure of a batch of several messages is not blamed on all of them: they are
  recorded again one by one, so only the bad message fails (and is eventually dead-lettered).
"""

from collections.abc import Awaitable, Callable, Sequence

from adapters.queue.window import BatchingWindow
from application.commands import RecordGrades
from application.handlers.record_grades import Recorded
from application.ports.errors import Unavailable
from domain.events import GradeEvent

Recorder = Callable[[RecordGrades], Awaitable[Recorded]]


def _may_belong_to_one_message(error: Exception) -> bool:
    return not isinstance(error, Unavailable)


class BatchingRecorder:
    """A recorder (RecordGrades -> Recorded) that records concurrent calls in one transaction.

    A call returns what its transaction recorded: with several messages in one transaction, the
    whole batch's count and every reused id of the batch (a caller picks out its own).
    """

    def __init__(
        self, record: Recorder, *, max_events: int, linger: float, max_transactions: int
    ) -> None:
        self._record = record
        self._window: BatchingWindow[GradeEvent, Recorded] = BatchingWindow(
            self._record_events,
            linger=linger,
            max_size=max_events,
            max_flushes=max_transactions,
            retry_alone=_may_belong_to_one_message,
            drop_abandoned=True,  # its message stays unacknowledged
        )

    async def __call__(self, command: RecordGrades) -> Recorded:
        return await self._window(command.events)

    async def _record_events(self, events: Sequence[GradeEvent]) -> Recorded:
        return await self._record(RecordGrades(events))
