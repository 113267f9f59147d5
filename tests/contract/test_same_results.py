"""Property: any stream of events, in any order and batching, reads the same on both adapters."""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from adapter_sets import RECORDED_TABLES, AdapterSet, memory_adapters, postgres_adapters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres import ConnectionPool
from application.ports import GradeScope
from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded
from domain.periods import DateWindow, GroupBy

pytestmark = pytest.mark.integration

STUDENTS = [uuid.UUID(int=1), uuid.UUID(int=2)]
COURSES = ["math", "art"]
TASKS = ["essay", "quiz"]
# A few days either side of a new year, so weeks straddle it; coarse steps make ties likely.
EPOCH = datetime(2025, 12, 27, tzinfo=UTC)
OFFSETS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]

moments = st.builds(
    lambda hours, offset: (EPOCH + timedelta(hours=hours)).astimezone(offset),
    st.integers(0, 12 * 24).map(lambda h: h - h % 6),
    st.sampled_from(OFFSETS),
)
grades = st.integers(0, 1000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def grade_events(draw: st.DrawFn) -> GradeEvent:
    student, course = draw(st.sampled_from(STUDENTS)), draw(st.sampled_from(COURSES))
    grade, on_time, graded_at = draw(grades), draw(st.booleans()), draw(moments)
    accepted_at = graded_at + timedelta(hours=draw(st.sampled_from([0, 0, 1, 30])))
    if draw(st.integers(0, 9)) == 0:
        return StudentErased(draw(st.uuids()), student, accepted_at)
    if draw(st.booleans()):
        return CourseGraded(
            draw(st.uuids()), student, course, grade, on_time, graded_at, accepted_at
        )
    task = draw(st.sampled_from(TASKS))
    return TaskGraded(
        draw(st.uuids()), student, course, task, grade, on_time, graded_at, accepted_at
    )


@st.composite
def deliveries(draw: st.DrawFn) -> list[list[GradeEvent]]:
    """Events with some redelivered, shuffled, split into batches."""
    events = draw(st.lists(grade_events(), min_size=1, max_size=30))
    redelivered = draw(st.lists(st.sampled_from(events), max_size=6))
    stream = draw(st.permutations(events + redelivered))
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=4)))
    bounds = [0, *cuts, len(stream)]
    return [stream[start:end] for start, end in itertools.pairwise(bounds)]


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
    batches=deliveries(),
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
