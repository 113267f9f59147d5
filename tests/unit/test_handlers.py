"""The use cases over the in-memory adapters: submit, deliver as the worker does, read."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from example_students import ANA, BEN, CAL
from memory_service import NOW, Service

from adapters.memory import InMemoryUnitOfWork
from application.commands import RecordGrades, SubmitCourseGrade, SubmitTaskGrade
from application.queries import (
    GetCourseAverage,
    GetOnTimePercentage,
    GetStudentAverage,
    GetStudentCourseSummary,
    GetStudentTaskComparison,
    GetTaskAverages,
)
from application.views import PeriodAverage, PeriodOnTime, StudentAverage, TimeRange
from domain.errors import FieldError, InvalidInput, NotFound
from domain.events import CourseGraded, TaskGraded
from domain.periods import DateWindow, GroupBy


def at(day: int, hour: int = 12, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def course(student: uuid.UUID, grade: float, graded_at: datetime | None = None,
           course_id: str = "c1", on_time: bool = True,
           event_id: uuid.UUID | None = None) -> SubmitCourseGrade:
    return SubmitCourseGrade(str(student), course_id, grade, on_time, graded_at, event_id)


def task(student: uuid.UUID, task_id: str, grade: float, graded_at: datetime | None = None,
         course_id: str = "c1", on_time: bool = True,
         event_id: uuid.UUID | None = None) -> SubmitTaskGrade:
    return SubmitTaskGrade(str(student), course_id, task_id, grade, on_time, graded_at, event_id)


async def submit(service: Service, *commands: SubmitCourseGrade | SubmitTaskGrade) -> None:
    """Each command as its own request, a second apart, then processed."""
    for command in commands:
        await service.submit([command])
        service.clock.advance(timedelta(seconds=1))
    await service.deliver()


class TestSubmitGrades:
    async def test_queues_a_valid_grade_as_an_event_accepted_now(self, service: Service) -> None:
        [event_id] = await service.submit([course(ANA, 7.5, at(10))])
        [event] = service.queue.pending
        assert event == CourseGraded(event_id, ANA, "c1", event.grade, True, at(10), NOW)
        assert str(event.grade) == "7.5"

    async def test_graded_at_defaults_to_the_time_accepted(self, service: Service) -> None:
        await service.submit([task(ANA, "t1", 6)])
        [event] = service.queue.pending
        assert isinstance(event, TaskGraded)
        assert (event.graded_at, event.accepted_at, event.task_id) == (NOW, NOW, "t1")

    async def test_keeps_the_given_event_id(self, service: Service) -> None:
        event_id = uuid.uuid4()
        assert await service.submit([course(ANA, 5, event_id=event_id)]) == [event_id]

    async def test_rejects_every_bad_field_at_once_and_queues_nothing(self, service: Service) -> None:
        bad = SubmitTaskGrade("nope", "c 1", "", 10.5, True, NOW + timedelta(minutes=6))
        with pytest.raises(InvalidInput) as error:
            await service.submit([bad])
        assert [e.field for e in error.value.errors] == [
            "student_id", "course_id", "task_id", "grade", "graded_at"
        ]
        assert service.queue.pending == []

    async def test_a_batch_is_all_or_nothing_with_indexed_fields(self, service: Service) -> None:
        with pytest.raises(InvalidInput) as error:
            await service.submit([course(ANA, 5), course(ANA, 11)], prefix="events")
        assert error.value.errors == [FieldError("events[1].grade", "must be from 0 to 10")]
        assert service.queue.pending == []


class TestRecordGrades:
    async def test_counts_only_what_changed(self, service: Service) -> None:
        await service.submit([course(ANA, 5), task(ANA, "t1", 6, at(10))])
        first = list(service.queue.pending)
        assert (await service.record(RecordGrades(first))).changed == 2
        await service.submit([task(ANA, "t1", 9, at(9))])
        late_older = list(service.queue.pending[2:])
        # the older grade arriving late, and a redelivery of the first message
        assert (await service.record(RecordGrades(late_older + first))).changed == 0
        assert len(service.database.course_grades) == 1
        assert len(service.database.task_events) == 2
        [current] = service.database.current_task_grades.values()
        assert current.graded_at == at(10)

    async def test_nothing_is_kept_if_the_transaction_does_not_commit(self, service: Service) -> None:
        await service.submit([course(ANA, 5), task(ANA, "t1", 6)])
        events = list(service.queue.pending)
        async with InMemoryUnitOfWork(service.database) as uow:
            assert await uow.grades.record(events) == 2
        assert service.database.course_grades == {}
        assert service.database.current_task_grades == {}


class TestStudentCourseSummary:
    async def test_course_grades_and_current_task_grades(self, service: Service) -> None:
        await submit(
            service,
            course(ANA, 8), course(ANA, 9.5), course(ANA, 3, course_id="other"),
            task(ANA, "t1", 4, at(1), on_time=False),
            task(ANA, "t1", 6, at(2)),  # regrade of t1 replaces the 4
            task(ANA, "t2", 7.25, at(3), on_time=False),
            task(ANA, "t3", 10, at(4)),
            task(BEN, "t1", 1, at(4)),
        )
        view = await service.summary(GetStudentCourseSummary(ANA, "c1"))
        assert view.average_grade == 8.75
        assert view.task_average == 7.75  # (6 + 7.25 + 10) / 3
        assert view.assignments_completed == 3
        assert view.on_time_percentage == 66.67

    async def test_only_task_grades(self, service: Service) -> None:
        await submit(service, task(ANA, "t1", 5))
        view = await service.summary(GetStudentCourseSummary(ANA, "c1"))
        assert (view.average_grade, view.task_average, view.assignments_completed) == (None, 5.0, 1)
        assert view.on_time_percentage == 100.0

    async def test_only_course_grades(self, service: Service) -> None:
        await submit(service, course(ANA, 5))
        view = await service.summary(GetStudentCourseSummary(ANA, "c1"))
        assert (view.average_grade, view.task_average) == (5.0, None)
        assert (view.assignments_completed, view.on_time_percentage) == (0, None)

    async def test_no_data_is_not_found(self, service: Service) -> None:
        await submit(service, course(ANA, 5, course_id="other"), task(BEN, "t1", 5))
        with pytest.raises(NotFound):
            await service.summary(GetStudentCourseSummary(ANA, "c1"))


class TestStudentAverage:
    async def test_all_courses_all_time(self, service: Service) -> None:
        await submit(
            service,
            course(ANA, 7, at(1)), course(ANA, 8, at(2), course_id="c2"),
            course(ANA, 10, at(3)), task(ANA, "t1", 0), course(BEN, 1),
        )
        view = await service.student_average(GetStudentAverage(ANA))
        assert (view.average_grade, view.grade_count) == (8.33, 3)
        assert view.averages == [PeriodAverage("all_time", 8.33, 3)]
        assert view.time_range == TimeRange(None, service.clock.now())
        assert view.group_by is None

    async def test_grouped_by_week_within_a_window(self, service: Service) -> None:
        await submit(
            service,
            course(ANA, 4, at(31, month=12) - timedelta(days=365)),  # 2025-12-31: a Wednesday
            course(ANA, 6, at(4)),  # Sunday 4 Jan: same ISO week as 31 Dec
            course(ANA, 9, at(5)),  # Monday: the next week
            course(ANA, 1, at(12)),  # outside the window
        )
        window = DateWindow(date(2025, 12, 30), date(2026, 1, 11))
        view = await service.student_average(GetStudentAverage(ANA, window, GroupBy.WEEK))
        assert (view.average_grade, view.grade_count) == (6.33, 3)
        assert view.averages == [
            PeriodAverage("2025-12-29T00:00:00Z", 5.0, 2),
            PeriodAverage("2026-01-05T00:00:00Z", 9.0, 1),
        ]
        assert view.time_range == TimeRange(at(30, 0, 12) - timedelta(days=365), at(12, 0))
        assert view.group_by is GroupBy.WEEK

    async def test_no_grades_is_an_empty_series(self, service: Service) -> None:
        view = await service.student_average(GetStudentAverage(ANA, group_by=GroupBy.DAY))
        assert (view.average_grade, view.grade_count, view.averages) == (None, 0, [])


class TestCourseAverage:
    async def test_grouped_by_month_with_distinct_students(self, service: Service) -> None:
        service.clock.set(datetime(2026, 3, 1, tzinfo=UTC))
        await submit(
            service,
            course(ANA, 7, at(10, month=1)), course(ANA, 8, at(20, month=1)),
            course(BEN, 5.5, at(1, month=1)), course(CAL, 10, at(1, 0, month=1) + timedelta(days=31)),
            course(CAL, 2, at(1), course_id="c2"),
        )
        view = await service.course_average(GetCourseAverage("c1", group_by=GroupBy.MONTH))
        assert (view.average_grade, view.total_students) == (7.63, 3)  # 30.5 / 4 = 7.625
        assert view.averages == [
            PeriodAverage("2026-01-01T00:00:00Z", 6.83, 3),
            PeriodAverage("2026-02-01T00:00:00Z", 10.0, 1),
        ]

    async def test_quarter_and_year_buckets(self, service: Service) -> None:
        service.clock.set(datetime(2026, 6, 1, tzinfo=UTC))
        await submit(
            service,
            course(ANA, 2, datetime(2025, 12, 31, 23, 59, tzinfo=UTC)),
            course(ANA, 4, datetime(2026, 3, 31, 23, 59, tzinfo=UTC)),
            course(ANA, 6, datetime(2026, 4, 1, 3, tzinfo=timezone(timedelta(hours=5)))),  # 31 Mar UTC
            course(ANA, 8, datetime(2026, 4, 1, tzinfo=UTC)),
        )
        quarters = await service.course_average(GetCourseAverage("c1", group_by=GroupBy.QUARTER))
        assert quarters.averages == [
            PeriodAverage("2025-10-01T00:00:00Z", 2.0, 1),
            PeriodAverage("2026-01-01T00:00:00Z", 5.0, 2),
            PeriodAverage("2026-04-01T00:00:00Z", 8.0, 1),
        ]
        years = await service.course_average(GetCourseAverage("c1", group_by=GroupBy.YEAR))
        assert years.averages == [
            PeriodAverage("2025-01-01T00:00:00Z", 2.0, 1),
            PeriodAverage("2026-01-01T00:00:00Z", 6.0, 3),
        ]
        assert years.time_range == TimeRange(None, service.clock.now())

    async def test_window_edges_are_inclusive_utc_days(self, service: Service) -> None:
        await submit(
            service,
            course(ANA, 1, datetime(2026, 1, 1, 23, 59, 59, tzinfo=UTC)),  # out
            course(ANA, 2, datetime(2026, 1, 2, tzinfo=UTC)),  # in
            course(ANA, 3, datetime(2026, 1, 3, 23, 59, 59, 999999, tzinfo=UTC)),  # in
            course(ANA, 4, datetime(2026, 1, 3, 20, tzinfo=timezone(timedelta(hours=-5)))),  # out
        )
        window = DateWindow(date(2026, 1, 2), date(2026, 1, 3))
        view = await service.course_average(GetCourseAverage("c1", window, GroupBy.DAY))
        assert view.averages == [
            PeriodAverage("2026-01-02T00:00:00Z", 2.0, 1),
            PeriodAverage("2026-01-03T00:00:00Z", 3.0, 1),
        ]
        assert (view.average_grade, view.total_students) == (2.5, 1)

    async def test_every_course_grade_counts_even_the_same_values(self, service: Service) -> None:
        await submit(service, course(ANA, 5, at(1)), course(ANA, 5, at(1)), course(ANA, 8, at(1)))
        view = await service.course_average(GetCourseAverage("c1"))
        assert view.averages == [PeriodAverage("all_time", 6.0, 3)]


class TestStudentTaskComparison:
    async def test_own_average_and_others_best_first(self, service: Service) -> None:
        await submit(
            service,
            task(ANA, "t1", 6), task(ANA, "t2", 7),
            task(BEN, "t1", 9), task(BEN, "t2", 9.5),
            task(CAL, "t1", 2, at(13)),
            task(CAL, "t1", 10, at(14)),  # CAL's regrade replaces the 2
            task(ANA, "t9", 0, course_id="c2"),
        )
        view = await service.comparison(GetStudentTaskComparison(ANA, "c1"))
        assert view.student_average == 6.5
        assert view.other_students == [
            StudentAverage(CAL, 10.0, 1),
            StudentAverage(BEN, 9.25, 2),
        ]
        assert view.warning is None

    async def test_equal_averages_are_ordered_by_student_id(self, service: Service) -> None:
        await submit(service, task(CAL, "t1", 5), task(BEN, "t1", 5))
        view = await service.comparison(GetStudentTaskComparison(ANA, "c1"))
        assert [s.student_id for s in view.other_students] == [BEN, CAL]

    async def test_a_student_without_task_grades_gets_a_warning(self, service: Service) -> None:
        await submit(service, task(BEN, "t1", 8), course(ANA, 9))
        view = await service.comparison(GetStudentTaskComparison(ANA, "c1"))
        assert view.student_average is None
        assert view.other_students == [StudentAverage(BEN, 8.0, 1)]
        assert view.warning is not None and str(ANA) in view.warning and "c1" in view.warning


class TestTaskAverages:
    async def test_group_average_and_students(self, service: Service) -> None:
        await submit(
            service,
            task(ANA, "t1", 3), task(BEN, "t1", 8.5), task(CAL, "t1", 7.005),
            task(ANA, "t2", 10),
        )
        view = await service.task_averages(GetTaskAverages("c1", "t1"))
        assert view.group_average == 6.17  # 18.505 / 3 = 6.168333...
        assert view.students == [
            StudentAverage(BEN, 8.5, 1),
            StudentAverage(CAL, 7.01, 1),  # 7.005 rounds half up
            StudentAverage(ANA, 3.0, 1),
        ]

    async def test_no_grades(self, service: Service) -> None:
        view = await service.task_averages(GetTaskAverages("c1", "t1"))
        assert (view.group_average, view.students) == (None, [])


class TestOnTimePercentage:
    async def test_course_by_day_over_current_grades(self, service: Service) -> None:
        await submit(
            service,
            task(ANA, "t1", 5, at(5), on_time=False),
            task(ANA, "t1", 6, at(6), on_time=True),  # replaces the late one, moves to day 6
            task(BEN, "t1", 5, at(6, 23), on_time=False),
            task(CAL, "t1", 5, at(6, 1), on_time=True),
            task(ANA, "t2", 5, at(7), on_time=False),
            task(ANA, "t3", 5, at(7), course_id="c2"),
        )
        view = await service.on_time(GetOnTimePercentage("c1", group_by=GroupBy.DAY))
        assert view.data == [
            PeriodOnTime("2026-01-06T00:00:00Z", 2, 3, 66.67),
            PeriodOnTime("2026-01-07T00:00:00Z", 0, 1, 0.0),
        ]
        assert view.student_id is None
        assert view.time_range == TimeRange(None, service.clock.now())

    async def test_one_student_all_time_in_a_window(self, service: Service) -> None:
        await submit(
            service,
            task(ANA, "t1", 5, at(1), on_time=False),
            task(ANA, "t2", 5, at(2)),
            task(ANA, "t3", 5, at(3)),
            task(ANA, "t4", 5, at(9)),  # outside the window
            task(BEN, "t1", 5, at(2), on_time=False),
        )
        window = DateWindow(end_date=date(2026, 1, 3))
        view = await service.on_time(GetOnTimePercentage("c1", ANA, window))
        assert view.data == [PeriodOnTime("all_time", 2, 3, 66.67)]
        assert view.time_range == TimeRange(None, at(4, 0))
        assert view.student_id == ANA

    async def test_no_data_is_an_empty_series(self, service: Service) -> None:
        view = await service.on_time(GetOnTimePercentage("c1", group_by=GroupBy.WEEK))
        assert view.data == []
