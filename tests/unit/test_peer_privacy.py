"""Students see their peers under per-course aliases, never by id."""

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from adapters.hmac_pseudonyms import HmacPseudonyms
from adapters.memory import InMemoryDatabase, InMemoryStatsReader, InMemoryUnitOfWork
from application.handlers.get_student_task_comparison import GetStudentTaskComparisonHandler
from application.queries import GetStudentTaskComparison
from application.views import PeerAverage, StudentAverage
from domain.events import TaskGraded

KEY = b"a-key-of-at-least-sixteen-bytes"
AT = datetime(2026, 3, 2, tzinfo=UTC)


def test_aliases_are_stable_per_course_and_not_uuids() -> None:
    student = uuid.uuid4()
    pseudonyms = HmacPseudonyms(KEY)
    alias = pseudonyms.alias("algebra", student)
    assert alias == HmacPseudonyms(KEY).alias("algebra", student)
    assert alias != pseudonyms.alias("physics", student)
    assert alias != HmacPseudonyms(KEY + b"!").alias("algebra", student)
    assert re.fullmatch(r"peer-[a-z2-7]{16}", alias)
    assert str(student) not in alias and student.hex not in alias


async def test_a_student_sees_peers_only_under_aliases() -> None:
    db = InMemoryDatabase()
    me, peers = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
    async with InMemoryUnitOfWork(db) as uow:
        await uow.grades.record(
            [
                TaskGraded(uuid.uuid4(), s, "algebra", "hw1", Decimal(g), True, AT, AT)
                for s, g in zip([me, *peers], (5, 9, 7, 8), strict=True)
            ]
        )
        await uow.commit()
    handler = GetStudentTaskComparisonHandler(InMemoryStatsReader(db), HmacPseudonyms(KEY))
    open_view = await handler(GetStudentTaskComparison(me, "algebra"))
    private_view = await handler(GetStudentTaskComparison(me, "algebra", anonymize_peers=True))

    assert all(isinstance(p, StudentAverage) for p in open_view.other_students)
    assert all(isinstance(p, PeerAverage) for p in private_view.other_students)
    assert [p.average_grade for p in private_view.other_students] == [9.0, 8.0, 7.0]
    aliases = {p.alias for p in private_view.other_students if isinstance(p, PeerAverage)}
    assert aliases == {HmacPseudonyms(KEY).alias("algebra", s) for s in peers}
    assert not any(str(s) in repr(private_view) for s in peers)
    assert private_view.student_average == 5.0
