"""The analytics use cases over both adapters, every figure checked against analytics_oracle.

Hypothesis draws event streams with regrades (several grades for one slot), late events (an older
grade delivered after a newer one), redeliveries (the same event id again) and erasures, in any
order and batching. Each example works in courses and students of its own, so examples share the
Postgres database without seeing each other's grades.
"""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import analytics_oracle as oracle
import pytest
from adapter_sets import postgres_adapters
from grade_input import students_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres.analytics_reader import PostgresAnalyticsReader
from application.handlers.export_course_grades import ExportCourseGradesHandler
from application.handlers.find_at_risk_students import FindAtRiskStudentsHandler
from application.handlers.get_average_distribution import (
    GetAverageDistributionHandler,
)
from application.handlers.get_student_courses import GetStudentCoursesHandler
from application.handlers.get_task_spreads import GetTaskSpreadsHandler
from application.handlers.list_course_students import ListCourseStudentsHandler
from application.queries import (
    ExportCourseGrades,
    FindAtRiskStudents,
    GetAverageDistribution,
    GetStudentCourses,
    GetTaskSpreads,
    ListCourseStudents,
    SortOrder,
    StudentSort,
)
from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded
from domain.statistics import average_cents
from tests.event_streams import deliveries, grade_events, moments

STUDENTS = [uuid.UUID(int=n) for n in (1, 2, 3, 4)]
COURSES = ["c1", "c2"]
TASKS = ["t1", "t2", "t3", "t4"]
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)
ERASED_AT = EPOCH + timedelta(days=30)  # after every grade's acceptance

grades = st.one_of(
    st.integers(0, 20).map(lambda halves: Decimal(halves) / 2),  # ties and bin edges
    st.decimals(min_value=0, max_value=10, places=3),
    st.sampled_from([Decimal("0.005"), Decimal("9.995"), Decimal(10), Decimal("1E-20")]),
)
grade_event_lists = st.lists(
    grade_events(
        students=STUDENTS,
        courses=COURSES,
        tasks=TASKS,
        grades=grades,
        # coarse: equal graded_at (ties) come up often
        graded_at=moments(EPOCH, st.integers(0, 10).map(lambda h: h * 6)),
        kinds=["course", "task", "task", "task"],
    ),
    min_size=1,
    max_size=40,
)


@st.composite
def with_erasures(draw: st.DrawFn) -> list[GradeEvent]:
    """Events, then up to two students erased after every grade."""
    events = draw(grade_event_lists)
    erased = draw(st.lists(st.sampled_from(STUDENTS), max_size=2, unique=True))
    return events + [StudentErased(draw(st.uuids()), s, ERASED_AT) for s in erased]


class Run:
    """Renames one example's students, courses and event ids apart from every other example's."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4()

    def student(self, s: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(self.tag, f"student {s}")

    def course(self, c: str) -> str:
        return f"{c}-{self.tag.hex[:12]}"

    def event(self, e: GradeEvent) -> GradeEvent:
        changes: dict[str, object] = {
            "event_id": uuid.uuid5(self.tag, f"event {e.event_id}"),
            "student_id": self.student(e.student_id),
        }
        if not isinstance(e, StudentErased):
            changes["course_id"] = self.course(e.course_id)
        return dataclasses.replace(e, **changes)  # type: ignore[arg-type]


def plain(view: object) -> Any:
    return dataclasses.asdict(view)  # type: ignore[call-overload]


async def deliver(analytics: Any, run: Run, batches: list[list[GradeEvent]]) -> list[GradeEvent]:
    """Record the batches (made this run's) one by one; every event delivered, in order."""
    delivered = [[run.event(e) for e in batch] for batch in batches]
    for batch in delivered:
        await analytics.adapters.record(batch)
    return [e for batch in delivered for e in batch]


async def check_every_view(
    analytics: Any, run: Run, events: list[GradeEvent], sort: StudentSort, order: SortOrder,
    limit: int, thresholds: tuple[Decimal, Decimal, bool],
    students: list[uuid.UUID] = STUDENTS,
) -> None:
    reader = analytics.reader
    for course in (run.course(c) for c in COURSES):
        # Task spreads
        view = await GetTaskSpreadsHandler(reader)(GetTaskSpreads(course))
        assert [plain(t) for t in view.tasks] == oracle.task_spreads(events, course)

        # The figures of the standings: the students' tallies, rounded
        standings = await reader.course_standings(course)
        assert sorted(zip(
            standings.student_ids, standings.course_average_cents,
            standings.task_average_cents, standings.task_counts, standings.task_on_times,
            strict=True,
        )) == [
            (s.student_id,
             average_cents(s.course_total, s.course_count) if s.course_count else None,
             average_cents(s.task_total, s.task_count) if s.task_count else None,
             s.task_count, s.task_on_time)
            for s in await reader.students(course)
        ]

        # Students: every page, following cursors
        expected = oracle.students(events, course)
        seen: list[dict[str, object]] = []
        query = ListCourseStudents(course, sort, order, limit)
        while True:
            page = await ListCourseStudentsHandler(reader)(query)
            assert len(page.items) <= limit
            seen += [plain(item) for item in page.items]
            if page.next_cursor is None:
                break
            query = students_query(
                course, sort=sort.value, order=order.value, limit=str(limit),
                cursor=page.next_cursor,
            )
        assert [row["student_id"] for row in seen] == oracle.listing_order(
            list(expected.values()), sort.value, order.value
        )
        assert {row["student_id"]: row for row in seen} == {
            student: {k: v for k, v in row.items() if k != "task_grades"}
            for student, row in expected.items()
        }

        # Distribution of averages
        distribution = plain(await GetAverageDistributionHandler(reader)(
            GetAverageDistribution(course)
        ))
        wanted = oracle.distribution(events, course)
        assert {k: distribution[k] for k in wanted} == wanted

        # At risk
        grade_below, on_time_below, declining = thresholds
        risk = await FindAtRiskStudentsHandler(reader)(
            FindAtRiskStudents(course, grade_below, on_time_below, declining)
        )
        assert [
            (s.student_id, [r.value for r in s.reasons],
             [(g.task_id, g.grade) for g in s.recent_grades])
            for s in risk.students
        ] == [
            (student, reasons, [(task, float(grade)) for task, grade in last])
            for student, reasons, last in oracle.at_risk(
                events, course, Fraction(grade_below), Fraction(on_time_below), declining
            )
        ]
        for s in risk.students:
            assert (s.average_grade, s.on_time_percentage) == (
                expected[s.student_id]["average_grade"],
                expected[s.student_id]["on_time_percentage"],
            )

        # Export
        rows = [row async for row in ExportCourseGradesHandler(reader, page_size=3)(
            ExportCourseGrades(course)
        )]
        table = oracle.grade_table(events, course)
        assert rows[0] == table[0]
        assert [[r[0], *(str(Fraction(c)) if c else "" for c in r[1:])] for r in rows[1:]] == (
            table[1:]
        )

    # A student's courses
    for student in (run.student(s) for s in students):
        mine = await GetStudentCoursesHandler(reader)(GetStudentCourses(student))
        wanted_courses = oracle.student_courses(events, student)
        assert [c.course_id for c in mine.courses] == sorted(wanted_courses)
        for c in mine.courses:
            row = wanted_courses[c.course_id]
            assert (c.average_grade, c.task_average, c.assignments_completed,
                    c.on_time_percentage, c.rank, c.percentile, c.trend,
                    [plain(g) for g in c.task_grades]) == (
                row["course_grade_average"], row["average_grade"],
                row["assignments_completed"], row["on_time_percentage"], row["rank"],
                row["percentile"], row["trend"], row["task_grades"],
            )


EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
thresholds = st.tuples(
    st.sampled_from([Decimal(0), Decimal(4), Decimal("6.5"), Decimal(10)]),
    st.sampled_from([Decimal(0), Decimal(50), Decimal(60), Decimal(100)]),
    st.booleans(),
)


@EXAMPLES
@given(
    batches=deliveries(grade_event_lists),
    sort=st.sampled_from(StudentSort),
    order=st.sampled_from(SortOrder),
    limit=st.integers(1, 5),
    thresholds=thresholds,
)
async def test_every_view_matches_the_oracle(
    analytics: Any,
    batches: list[list[GradeEvent]],
    sort: StudentSort,
    order: SortOrder,
    limit: int,
    thresholds: tuple[Decimal, Decimal, bool],
) -> None:
    run = Run()
    events = await deliver(analytics, run, batches)
    await check_every_view(analytics, run, events, sort, order, limit, thresholds)


@EXAMPLES
@given(batches=deliveries(with_erasures()), sort=st.sampled_from(StudentSort), thresholds=thresholds)
async def test_erased_students_count_as_never_graded(
    analytics: Any,
    batches: list[list[GradeEvent]],
    sort: StudentSort,
    thresholds: tuple[Decimal, Decimal, bool],
) -> None:
    run = Run()
    events = await deliver(analytics, run, batches)
    await check_every_view(analytics, run, events, sort, default_order(sort), 2, thresholds)
    for erased in {e.student_id for e in events if isinstance(e, StudentErased)}:
        assert (await GetStudentCoursesHandler(analytics.reader)(
            GetStudentCourses(erased))).courses == []


# Erasures anywhere in the stream: the erased student's grades leave every read model (task
# spreads, recent grades), and grades accepted after the erasure come back into them.
interleaved_erasures = st.lists(
    grade_events(
        students=STUDENTS,
        courses=COURSES,
        tasks=TASKS,
        grades=grades,
        graded_at=moments(EPOCH, st.integers(0, 10).map(lambda h: h * 6)),
        kinds=["course", "task", "task", "task", "task", "erase"],
    ),
    min_size=1,
    max_size=40,
)


@EXAMPLES
@given(
    batches=deliveries(interleaved_erasures),
    sort=st.sampled_from(StudentSort),
    thresholds=thresholds,
)
async def test_erasures_amid_regrades_and_late_grades_match_the_oracle(
    analytics: Any,
    batches: list[list[GradeEvent]],
    sort: StudentSort,
    thresholds: tuple[Decimal, Decimal, bool],
) -> None:
    run = Run()
    events = await deliver(analytics, run, batches)
    await check_every_view(analytics, run, events, sort, default_order(sort), 3, thresholds)


# Grades that make the exact arithmetic matter: ties, bin edges, half cents, a float's longest
# shortest forms (5E-324, 17 digits), and values a 28-digit working precision would round.
EDGY_GRADES = [
    Decimal(v)
    for v in (
        "0", "10", "5", "5", "0.005", "9.995", "1", "0.9999999999999999", "9", "8.999",
        "5E-324", "9.999999999999998", "1E-20", "6.125", "6.135", "0.0199999999999999999999999996",
        "7.3", "7.3", "2.5", "3.75",
    )
]


def many_grades(run: Run, students: int, tasks: int, grade_of: Any) -> list[GradeEvent]:
    """Task grades for `students` students in one course, each with a regrade or two, late
    deliveries, on-time and late ones, some graded at the same moment (recency ties)."""
    events: list[GradeEvent] = []
    for s in range(students):
        student = uuid.UUID(int=100 + s)
        for t in range(tasks):
            if (s + t) % 7 == 3:
                continue  # not every student has every task
            for version in range(1 + (s * t) % 3):  # regrades: the last by graded_at counts
                at = EPOCH + timedelta(hours=6 * ((s + 2 * t) % 5) + version)
                events.append(TaskGraded(
                    uuid.uuid4(), student, "c1", f"t{t}", grade_of(s, t, version),
                    (s + t + version) % 3 != 0, at, at + timedelta(hours=version % 2),
                ))
        if s % 4 == 0:
            events.append(CourseGraded(uuid.uuid4(), student, "c1", grade_of(s, 0, 9), True,
                                       EPOCH, EPOCH))
    events.append(CourseGraded(uuid.uuid4(), uuid.UUID(int=99), "c1", Decimal(7), True, EPOCH,
                               EPOCH))  # a student with only a course-level grade
    return [run.event(e) for e in events]


@pytest.mark.parametrize("students", [1, 2, 3, 4, 5, 6, 7, 9, 41])
async def test_larger_courses_match_the_oracle(analytics: Any, students: int) -> None:
    """Counts of every remainder mod 4 (each quartile's interpolation weight), ties between
    students' averages, and grades whose exact arithmetic matters, on both adapters."""
    run = Run()
    events = many_grades(
        run, students, 3,
        lambda s, t, v: EDGY_GRADES[(3 * s + 5 * t + 7 * v) % len(EDGY_GRADES)],
    )
    await analytics.adapters.record(events)
    ids = [uuid.UUID(int=99)] + [uuid.UUID(int=100 + s) for s in range(students)]
    for sort in StudentSort:
        await check_every_view(
            analytics, run, events, sort, default_order(sort), 7,
            (Decimal("4.995"), Decimal(60), True), ids,
        )


async def test_all_equal_grades_and_one_grade(analytics: Any) -> None:
    run = Run()
    events = many_grades(run, 13, 2, lambda s, t, v: Decimal("6.125"))
    events.append(run.event(TaskGraded(uuid.uuid4(), uuid.UUID(int=7), "c2", "only",
                                       Decimal("0.005"), False, EPOCH, EPOCH)))
    await analytics.adapters.record(events)
    ids = [uuid.UUID(int=7), uuid.UUID(int=99)] + [uuid.UUID(int=100 + s) for s in range(13)]
    await check_every_view(analytics, run, events, StudentSort.AVERAGE, SortOrder.DESC, 4,
                           (Decimal("6.13"), Decimal(50), True), ids)
    spreads = await GetTaskSpreadsHandler(analytics.reader)(GetTaskSpreads(run.course("c1")))
    assert {(t.min, t.median, t.max, t.std_dev) for t in spreads.tasks} == {(6.13, 6.13, 6.13, 0)}
    ranks = await ListCourseStudentsHandler(analytics.reader)(
        ListCourseStudents(run.course("c1"), limit=500))
    assert {(s.rank, s.percentile) for s in ranks.items if s.rank is not None} == {(1, 0.0)}


async def test_at_risk_thresholds_and_declines_are_exact(analytics: Any) -> None:
    """Averages and on-time shares either side of a threshold's half cent, and declines by less
    than a 28-digit working precision can see."""
    run = Run()
    tiny_decline = ["7.0000000000000000000000000000001", "7", "6.9999999999999999999999999999999"]
    grades_of = {  # student: (grades oldest first, how many on time)
        1: (["3.9949"], 1),  # 3.99: below 4
        2: (["3.995"], 1),  # 4.00: not below 4
        3: (["3.99499999999999999999999999999999"], 1),  # 3.99
        4: (["9", "9", "9"], 2),  # 66.67% on time
        5: (tiny_decline, 3),  # declining
        6: (["7", "7", "6.9"], 3),  # equal is not lower
        7: (["6.9", *tiny_decline], 4),  # the last three decline
        8: (["9", "8"], 2),  # fewer than three
        9: (["9", "9", "9"], 1),  # 33.33% on time: below 33.34, not below 33.335 (rounded)
    }
    events: list[GradeEvent] = []
    for n, (grades, on_time) in grades_of.items():
        for i, grade in enumerate(grades):
            at = EPOCH + timedelta(hours=i)
            events.append(run.event(TaskGraded(
                uuid.uuid4(), uuid.UUID(int=n), "c1", f"t{i}", Decimal(grade), i < on_time, at,
                at,
            )))
    await analytics.adapters.record(events)
    students = [uuid.UUID(int=n) for n in grades_of]
    for thresholds in [(Decimal(4), Decimal("66.675"), True), (Decimal("3.99"), Decimal("66.67"),
                                                               True),
                       (Decimal("3.995"), Decimal("66.665"), False),
                       (Decimal(4), Decimal("33.34"), True), (Decimal(4), Decimal("33.335"), True)]:
        await check_every_view(analytics, run, events, StudentSort.AVERAGE, SortOrder.DESC, 3,
                               thresholds, students)
    risk = await FindAtRiskStudentsHandler(analytics.reader)(
        FindAtRiskStudents(run.course("c1"), Decimal(4), Decimal("66.675"), True))
    assert {s.student_id: [r.value for r in s.reasons] for s in risk.students} == {
        run.student(uuid.UUID(int=1)): ["low_average"],
        run.student(uuid.UUID(int=3)): ["low_average"],
        run.student(uuid.UUID(int=4)): ["low_on_time"],
        run.student(uuid.UUID(int=5)): ["declining"],
        run.student(uuid.UUID(int=7)): ["declining"],
        run.student(uuid.UUID(int=9)): ["low_on_time"],
    }


def default_order(sort: StudentSort) -> SortOrder:
    return SortOrder.ASC if sort is StudentSort.STUDENT_ID else SortOrder.DESC


async def test_an_empty_course_has_no_figures(analytics: Any) -> None:
    reader = analytics.reader
    assert (await GetTaskSpreadsHandler(reader)(GetTaskSpreads("none"))).tasks == []
    page = await ListCourseStudentsHandler(reader)(ListCourseStudents("none"))
    assert (page.items, page.next_cursor) == ([], None)
    distribution = await GetAverageDistributionHandler(reader)(GetAverageDistribution("none"))
    assert (distribution.student_count, distribution.mean, distribution.histogram) == (
        0, None, [0] * 10
    )
    assert [row async for row in ExportCourseGradesHandler(reader)(ExportCourseGrades("none"))] == [
        ["student_id"]
    ]


async def test_the_distribution_is_of_the_exact_averages_on_both_adapters(analytics: Any) -> None:
    """Averages 5 and 21.5 / 3 = 7.1666... (shown 7.17): their median 6.0833... shows as 6.08,
    not as the 6.09 of the shown figures' median 6.085."""
    ana, ben = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 1, 2, tzinfo=UTC)
    grades = [(ana, "t1", "5"), (ben, "t1", "7"), (ben, "t2", "7"), (ben, "t3", "7.5")]
    await analytics.adapters.record([
        TaskGraded(uuid.uuid4(), student, "exact", t, Decimal(g), True, at, at)
        for student, t, g in grades
    ])
    view = await GetAverageDistributionHandler(analytics.reader)(GetAverageDistribution("exact"))
    assert (view.median, view.mean, view.min, view.max) == (6.08, 6.08, 5.0, 7.17)


async def test_task_ids_sort_by_code_point_on_both_adapters(analytics: Any) -> None:
    """Postgres' default collation would put 'a' before 'B' and ignore '-' and '_'."""
    student = uuid.uuid4()
    at = datetime(2026, 1, 2, tzinfo=UTC)
    tasks = ["b", "B", "a-1", "a_1", "a1", "A"]
    await analytics.adapters.record(
        [TaskGraded(uuid.uuid4(), student, "order", t, Decimal(5), True, at, at) for t in tasks]
    )
    view = await GetTaskSpreadsHandler(analytics.reader)(GetTaskSpreads("order"))
    assert [t.task_id for t in view.tasks] == sorted(tasks)
    rows = [r async for r in ExportCourseGradesHandler(analytics.reader)(ExportCourseGrades("order"))]
    assert rows[0] == ["student_id", *sorted(tasks)]


@pytest.mark.integration
async def test_erasure_leaves_no_row_of_the_student_in_any_table(migrated_pool: Any) -> None:
    """Every table with a student_id column is searched; the erasure tombstone alone may keep the
    id (it is what keeps a late redelivery of an erased grade out)."""
    erased, kept = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 1, 2, tzinfo=UTC)
    events: list[GradeEvent] = []
    for student in (erased, kept):
        events += [
            TaskGraded(uuid.uuid4(), student, "bio", "lab", Decimal(6), True, at, at),
            TaskGraded(uuid.uuid4(), student, "bio", "lab", Decimal(8), False,
                       at + timedelta(hours=1), at + timedelta(hours=1)),  # a regrade
            CourseGraded(uuid.uuid4(), student, "bio", Decimal(7), True, at, at),
        ]
    adapters = postgres_adapters(migrated_pool)
    await adapters.record(events)
    before = await GetTaskSpreadsHandler(PostgresAnalyticsReader(migrated_pool))(
        GetTaskSpreads("bio"))
    assert before.tasks[0].graded_count == 2
    await adapters.record([StudentErased(uuid.uuid4(), erased, at + timedelta(days=1))])
    await adapters.record(events[:3])  # a late redelivery of the erased grades

    tables = await migrated_pool.fetch(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND column_name = 'student_id'"
    )
    assert {"course_grades", "task_grade_events", "current_task_grades"} <= {
        t["table_name"] for t in tables
    }
    for table in (t["table_name"] for t in tables):
        # identifiers from the catalogue, quoted; the value is a parameter
        rows = await migrated_pool.fetchval(
            f'SELECT count(*) FROM "{table}" WHERE student_id = $1', erased
        )
        assert rows == (1 if table == "student_erasures" else 0), table
        assert await migrated_pool.fetchval(
            f'SELECT count(*) FROM "{table}" WHERE student_id = $1', kept
        ) > 0 or table == "student_erasures"
    after = await GetTaskSpreadsHandler(PostgresAnalyticsReader(migrated_pool))(
        GetTaskSpreads("bio"))
    assert (after.tasks[0].graded_count, after.tasks[0].average) == (1, 8.0)
