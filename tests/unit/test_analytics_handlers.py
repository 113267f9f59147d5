"""The analytics use cases on worked examples, over the in-memory adapters."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from analytics_service import NOW, Analytics
from example_students import ANA, BEN, CAL, DEE
from grade_input import students_query

from application.commands import EraseStudent
from application.handlers.export_course_grades import csv_lines
from application.queries import (
    ExportCourseGrades,
    FindAtRiskStudents,
    GetAverageDistribution,
    GetStudentCourses,
    GetTaskSpreads,
)
from application.views import AverageDistributionView, RiskReason
from domain.errors import InvalidInput
from domain.events import StudentErased


def day(n: int) -> str:
    return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)).isoformat()


def task(student: uuid.UUID, task_id: str, grade: float, n: int, on_time: bool = True,
         course: str = "math") -> dict[str, object]:
    return {"kind": "task_grade", "student_id": str(student), "course_id": course,
            "task_id": task_id, "grade": grade, "on_time": on_time, "graded_at": day(n)}


def course_grade(student: uuid.UUID, grade: float, course: str = "math") -> dict[str, object]:
    return {"kind": "course_grade", "student_id": str(student), "course_id": course,
            "grade": grade, "graded_at": day(0)}


@pytest.fixture
async def school() -> Analytics:
    """Ana strong; Ben declining and late; Cal low; Dee only a course-level grade."""
    service = Analytics()
    await service.batch({"events": [
        task(ANA, "hw1", 9, 1), task(ANA, "hw2", 8, 2), task(ANA, "hw3", 10, 3),
        task(BEN, "hw1", 9, 1, on_time=False), task(BEN, "hw2", 7, 2),
        task(BEN, "hw3", 5, 3, on_time=False),
        task(CAL, "hw1", 3, 1), task(CAL, "hw2", 3, 2),
        course_grade(ANA, 8), course_grade(DEE, 6),
        task(ANA, "essay", 6, 1, course="art"),
    ]})
    await service.deliver()
    return service


async def test_task_spreads(school: Analytics) -> None:
    view = await school.task_spreads(GetTaskSpreads("math"))
    hw1, hw2, hw3 = view.tasks
    assert (hw1.task_id, hw1.graded_count, hw1.average, hw1.min, hw1.max) == ("hw1", 3, 7.0, 3.0,
                                                                              9.0)
    assert (hw1.median, hw1.first_quartile, hw1.third_quartile) == (9.0, 6.0, 9.0)
    assert hw1.std_dev == 2.83  # sqrt(8)
    assert hw1.histogram == [0, 0, 0, 1, 0, 0, 0, 0, 0, 2]
    assert (hw1.on_time_count, hw1.late_count) == (2, 1)
    assert hw3.histogram[9] == 1 and hw3.max == 10.0  # 10 falls in the last bin
    assert hw2.median == 7.0


async def test_a_regrade_replaces_the_grade_in_the_spread(school: Analytics) -> None:
    await school.batch({"events": [task(CAL, "hw1", 6, 5)]})
    await school.deliver()
    hw1 = (await school.task_spreads(GetTaskSpreads("math"))).tasks[0]
    assert (hw1.graded_count, hw1.min) == (3, 6.0)


async def test_students_ranked_over_the_whole_course_whatever_the_page(school: Analytics) -> None:
    first = await school.students(students_query("math", limit="2"))
    assert [i.student_id for i in first.items] == [ANA, BEN]
    assert [(i.rank, i.percentile) for i in first.items] == [(1, 66.67), (2, 33.33)]
    assert first.next_cursor is not None
    second = await school.students(students_query("math", limit="2",
                                                         cursor=first.next_cursor))
    assert [(i.student_id, i.rank, i.percentile) for i in second.items] == [
        (CAL, 3, 0.0), (DEE, None, None)  # no task average: listed last, unranked
    ]
    assert second.next_cursor is None
    ana = first.items[0]
    assert (ana.average_grade, ana.course_grade_average, ana.assignments_completed,
            ana.on_time_percentage) == (9.0, 8.0, 3, 100.0)


async def test_ties_share_a_rank_and_sort_by_id(school: Analytics) -> None:
    await school.batch({"events": [task(DEE, "hw1", 3, 1), task(DEE, "hw2", 3, 2)]})
    await school.deliver()
    page = await school.students(students_query("math", sort="average", order="asc"))
    assert [(i.student_id, i.rank) for i in page.items] == [
        (CAL, 3), (DEE, 3), (BEN, 2), (ANA, 1)
    ]


async def test_sorting_by_on_time_and_by_id(school: Analytics) -> None:
    by_on_time = await school.students(students_query("math", sort="on_time_percentage"))
    assert [i.on_time_percentage for i in by_on_time.items] == [100.0, 100.0, 33.33, None]
    by_id = await school.students(students_query("math", sort="student_id",
                                                        order="desc"))
    assert [i.student_id for i in by_id.items] == [DEE, CAL, BEN, ANA]


async def test_a_cursor_is_not_reusable_with_another_sort(school: Analytics) -> None:
    page = await school.students(students_query("math", limit="1"))
    with pytest.raises(InvalidInput) as error:
        students_query("math", sort="student_id", cursor=page.next_cursor)
    assert [e.field for e in error.value.errors] == ["cursor"]


async def test_paging_goes_on_after_the_last_student_even_if_grades_change(
    school: Analytics,
) -> None:
    first = await school.students(students_query("math", sort="student_id", limit="2"))
    await school.batch({"events": [task(ANA, "hw4", 0, 4)]})  # Ana's average drops
    await school.deliver()
    rest = await school.students(students_query(
        "math", sort="student_id", limit="2", cursor=first.next_cursor))
    assert [i.student_id for i in first.items + rest.items] == [ANA, BEN, CAL, DEE]


async def test_distribution_of_task_averages(school: Analytics) -> None:
    view = await school.distribution(GetAverageDistribution("math"))
    # averages 9, 7, 3 (Dee has none)
    assert view == AverageDistributionView(
        course_id="math", student_count=3, mean=6.33, min=3.0, first_quartile=5.0, median=7.0,
        third_quartile=8.0, max=9.0, std_dev=2.49,
        histogram=[0, 0, 0, 1, 0, 0, 0, 1, 0, 1],
    )


async def test_the_distribution_is_of_the_exact_averages() -> None:
    """Averages 5 and 21.5 / 3 = 7.1666... (shown 7.17): the median and mean 6.0833... show as
    6.08; computed from the shown figures they would be 6.085, shown as 6.09."""
    service = Analytics()
    await service.batch({"events": [
        task(ANA, "hw1", 5, 1), task(BEN, "hw1", 7, 1), task(BEN, "hw2", 7, 2),
        task(BEN, "hw3", 7.5, 3),
    ]})
    await service.deliver()
    view = await service.distribution(GetAverageDistribution("math"))
    assert (view.median, view.mean, view.min, view.max) == (6.08, 6.08, 5.0, 7.17)


async def test_at_risk_names_reasons_and_figures(school: Analytics) -> None:
    view = await school.at_risk(FindAtRiskStudents("math"))
    assert [(s.student_id, s.reasons) for s in view.students] == [
        (CAL, [RiskReason.LOW_AVERAGE]),
        (BEN, [RiskReason.LOW_ON_TIME, RiskReason.DECLINING]),
    ]
    ben = view.students[1]
    assert (ben.average_grade, ben.on_time_percentage, ben.assignments_completed) == (
        7.0, 33.33, 3
    )
    assert [(g.task_id, g.grade) for g in ben.recent_grades] == [
        ("hw1", 9.0), ("hw2", 7.0), ("hw3", 5.0)
    ]


async def test_at_risk_thresholds_and_declining_off(school: Analytics) -> None:
    view = await school.at_risk(
        FindAtRiskStudents("math", grade_below=Decimal(3), on_time_below=Decimal(0),
                          declining=False)
    )
    assert view.students == []  # 3 is not below 3


async def test_student_courses_with_rank(school: Analytics) -> None:
    view = await school.student_courses(GetStudentCourses(ANA))
    assert [(c.course_id, c.average_grade, c.task_average, c.rank, c.percentile)
            for c in view.courses] == [("art", None, 6.0, 1, 0.0), ("math", 8.0, 9.0, 1, 66.67)]
    assert (await school.student_courses(GetStudentCourses(uuid.uuid4()))).courses == []


async def test_export_streams_a_student_by_task_table(school: Analytics) -> None:
    lines = [line async for line in csv_lines(school.export(ExportCourseGrades("math")))]
    assert "".join(lines) == (
        "student_id,hw1,hw2,hw3\r\n"
        f"{ANA},9,8,10\r\n"
        f"{BEN},9,7,5\r\n"
        f"{CAL},3,3,\r\n"
    )


async def test_erasure_is_queued_and_then_leaves_no_trace(school: Analytics) -> None:
    event_id = await school.erase(EraseStudent(BEN))
    [queued] = school.queue.pending
    assert queued == StudentErased(event_id, BEN, NOW)
    assert [i.student_id for i in (await school.students(students_query("math"))).items
            ] == [ANA, BEN, CAL, DEE]  # not yet recorded
    await school.deliver()
    assert (await school.student_courses(GetStudentCourses(BEN))).courses == []
    page = await school.students(students_query("math"))
    assert [(i.student_id, i.rank) for i in page.items] == [(ANA, 1), (CAL, 2), (DEE, None)]
    assert [t.graded_count for t in (await school.task_spreads(GetTaskSpreads("math"))).tasks
            ] == [2, 2, 1]
    assert BEN not in {e.student_id for e in school.database.task_events.values()}
    assert BEN not in {e.student_id for e in school.database.course_grades.values()}
    assert BEN not in {s for s, _, _ in school.database.current_task_grades}


async def test_a_retried_erasure_keeps_its_event_id(school: Analytics) -> None:
    event_id = uuid.UUID(int=5)
    assert await school.erase(EraseStudent(BEN, event_id)) == event_id
    assert [e.event_id for e in school.queue.pending] == [event_id]
