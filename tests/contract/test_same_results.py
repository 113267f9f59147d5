"""Property: any stream of events, in any order and batching, reads the same on both adapters."""

import uuid
from datetime import UTC, date, datetime

import pytest
from adapter_sets import RECORDED_TABLES, AdapterSet, memory_adapters, postgres_adapters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres import ConnectionPool
from application.ports import GradeScope
from domain.events import GradeEvent
from domain.periods import DateWindow, GroupBy
from tests.event_streams import cents, deliveries, grade_events, moments

pytestmark = pytest.mark.integration

STUDENTS = [uuid.UUID(int=1), uuid.UUID(int=2)]
COURSES = ["math", "art"]
TASKS = ["essay", "quiz"]
# A few days either side of a new year, so weeks straddle it; coarse steps make ties likely.
EPOCH = datetime(2025, 12, 27, tzinfo=UTC)
# An erasure one event in nine; course and task grades alike otherwise.
grade_event = grade_events(
    students=STUDENTS,
    courses=COURSES,
    tasks=TASKS,
    grades=cents,
    graded_at=moments(EPOCH, st.integers(0, 12 * 24).map(lambda h: h - h % 6)),
    kinds=["course", "task"] * 4 + ["erase"],
)


days = st.dates(date(2025, 12, 25), date(2026, 1, 10))
windows = st.builds(
    lambda start, end: (
        DateWindow(*sorted([start, end])) if start and end else DateWindow(start, end)
    ),
    st.none() | days,
    st.none() | days,
)


async def read_everything(
    adapters: AdapterSet, window: DateWindow, group_by: GroupBy | None
) -> dict[str, object]:
    """Every StatsReader method, for every student, course and task of the universe."""
    stats = adapters.stats_reader
    seen: dict[str, object] = {}
    for student in STUDENTS:
        for course in COURSES:
            seen[f"student_course {student} {course}"] = await stats.student_course(student, course)
    for student in [None, *STUDENTS]:
        for course in [None, *COURSES]:
            seen[f"course_grade_series {student} {course}"] = await stats.course_grade_series(
                GradeScope(window=window, group_by=group_by, student_id=student, course_id=course)
            )
    for course in COURSES:
        seen[f"ranked {course}"] = await stats.ranked_task_averages(course)
        for task in TASKS:
            seen[f"ranked {course} {task}"] = await stats.ranked_task_grades(course, task)
        seen[f"by_student {course}"] = sorted(
            (t.student_id, t.tally) for t in await stats.task_tallies_by_student(course)
        )
        for task in TASKS:
            seen[f"for_task {course} {task}"] = sorted(
                (t.student_id, t.tally) for t in await stats.task_tallies_for_task(course, task)
            )
        for student in [None, *STUDENTS]:
            seen[f"on_time {course} {student}"] = await stats.on_time_series(
                GradeScope(course_id=course, window=window, group_by=group_by, student_id=student)
            )
    return seen


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    batches=deliveries(st.lists(grade_event, min_size=1, max_size=30)),
    window=windows,
    group_by=st.none() | st.sampled_from(GroupBy),
)
async def test_both_adapters_agree(
    migrated_pool: ConnectionPool,
    batches: list[list[GradeEvent]],
    window: DateWindow,
    group_by: GroupBy | None,
) -> None:
    await migrated_pool.execute(f"TRUNCATE {', '.join(RECORDED_TABLES)}")
    memory, postgres = memory_adapters(), postgres_adapters(migrated_pool)
    for batch in batches:
        counted = await postgres.record(batch), await memory.record(batch)
        assert counted[0] == counted[1]
    assert await read_everything(postgres, window, group_by) == await read_everything(
        memory, window, group_by
    )
