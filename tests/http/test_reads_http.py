"""Every read endpoint with exact numbers, after writes through the API."""

from datetime import timedelta

from http_api import Api

ANA = "00000000-0000-4000-8000-00000000000a"
BEN = "00000000-0000-4000-8000-00000000000b"
CAL = "00000000-0000-4000-8000-00000000000c"


async def test_health(api: Api) -> None:
    reply = await api.get("/stats/health")
    assert (reply.status, reply.content_type, reply.body) == (200, "application/json", {"status": "OK"})


async def seed(api: Api) -> None:
    """A small course: course-level grades and task grades with one regrade and one late event."""
    course_grades = [
        (ANA, "c1", 7, "2025-12-30T10:00:00Z"),
        (ANA, "c1", 8.5, "2026-01-05T09:00:00+02:00"),  # 07:00 UTC, Monday
        (ANA, "c2", 10, "2026-01-06T10:00:00Z"),
        (BEN, "c1", 4.25, "2026-01-04T23:30:00-01:00"),  # Monday 00:30 UTC
        (CAL, "c1", 6, "2025-10-01T00:00:00Z"),
    ]
    for student, course, grade, when in course_grades:
        await api.grade(student_id=student, course_id=course, grade=grade, graded_at=when)
        api.clock.advance(timedelta(seconds=1))
    task_grades = [
        (ANA, "t1", 5, True, "2026-01-05T10:00:00Z"),
        (ANA, "t1", 9, False, "2026-01-06T10:00:00Z"),  # regrade: replaces the 5
        (ANA, "t1", 1, True, "2026-01-05T11:00:00Z"),  # graded before the 9, arrives after
        (ANA, "t2", 6.5, True, "2026-01-07T10:00:00Z"),
        (BEN, "t1", 7.005, True, "2026-01-06T10:00:00Z"),
        (CAL, "t2", 3, False, "2026-01-12T10:00:00Z"),
    ]
    for student, task, grade, on_time, when in task_grades:
        await api.task_grade(
            student_id=student, course_id="c1", task_id=task, grade=grade, on_time=on_time,
            graded_at=when,
        )
        api.clock.advance(timedelta(seconds=1))


async def test_student_course_summary(api: Api) -> None:
    await seed(api)
    reply = await api.get(f"/stats/student/{ANA}/course/c1")
    assert reply.status == 200 and reply.content_type == "application/json"
    assert reply.body == {
        "student_id": ANA,
        "course_id": "c1",
        "average_grade": 7.75,
        "task_average": 7.75,  # current grades 9 and 6.5
        "assignments_completed": 2,
        "on_time_percentage": 50.0,
    }


async def test_student_course_summary_with_only_course_grades(api: Api) -> None:
    await api.grade(student_id=ANA, course_id="c9", grade=3.333)
    reply = await api.get(f"/stats/student/{ANA}/course/c9")
    assert reply.body == {
        "student_id": ANA, "course_id": "c9", "average_grade": 3.33, "task_average": None,
        "assignments_completed": 0, "on_time_percentage": None,
    }


async def test_student_course_summary_without_data_is_a_404_problem(api: Api) -> None:
    await seed(api)
    reply = await api.get(f"/stats/student/{BEN}/course/c2")
    assert (reply.status, reply.content_type) == (404, "application/problem+json")
    assert reply.body["status"] == 404 and reply.body["title"] == "Not Found"
    assert BEN in reply.body["detail"]


async def test_student_average_all_courses(api: Api) -> None:
    await seed(api)
    reply = await api.get(f"/stats/student/{ANA}/average")
    assert reply.status == 200
    assert reply.body == {
        "student_id": ANA,
        "average_grade": 8.5,  # (7 + 8.5 + 10) / 3
        "grade_count": 3,
        "averages": [{"period": "all_time", "average_grade": 8.5, "grade_count": 3}],
        "time_range": {"start": None, "end": "2026-01-15T12:00:11Z"},
        "group_by": None,
    }


async def test_student_average_by_iso_week_across_the_new_year(api: Api) -> None:
    await seed(api)
    reply = await api.get(
        f"/stats/student/{ANA}/average", start_date="2025-12-29", end_date="2026-01-05",
        group_by="week",
    )
    assert reply.body == {
        "student_id": ANA,
        "average_grade": 7.75,
        "grade_count": 2,
        "averages": [
            {"period": "2025-12-29T00:00:00Z", "average_grade": 7.0, "grade_count": 1},
            {"period": "2026-01-05T00:00:00Z", "average_grade": 8.5, "grade_count": 1},
        ],
        "time_range": {"start": "2025-12-29T00:00:00Z", "end": "2026-01-06T00:00:00Z"},
        "group_by": "week",
    }


async def test_student_average_with_no_grades_is_an_empty_series(api: Api) -> None:
    reply = await api.get(f"/stats/student/{ANA}/average", group_by="month")
    assert reply.status == 200
    assert reply.body["averages"] == [] and reply.body["grade_count"] == 0
    assert reply.body["average_grade"] is None


async def test_course_average_by_quarter(api: Api) -> None:
    await seed(api)
    reply = await api.get("/stats/course/c1/average", group_by="quarter")
    assert reply.body == {
        "course_id": "c1",
        "average_grade": 6.44,  # (7 + 8.5 + 4.25 + 6) / 4 = 6.4375
        "total_students": 3,
        "averages": [
            {"period": "2025-10-01T00:00:00Z", "average_grade": 6.5, "grade_count": 2},
            {"period": "2026-01-01T00:00:00Z", "average_grade": 6.38, "grade_count": 2},
        ],
        "time_range": {"start": None, "end": "2026-01-15T12:00:11Z"},
        "group_by": "quarter",
    }


async def test_course_average_by_day_in_a_window(api: Api) -> None:
    await seed(api)
    reply = await api.get(
        "/stats/course/c1/average", start_date="2026-01-05", end_date="2026-01-05", group_by="day"
    )
    assert reply.body["averages"] == [
        {"period": "2026-01-05T00:00:00Z", "average_grade": 6.38, "grade_count": 2}
    ]
    assert reply.body["total_students"] == 2
    assert reply.body["time_range"] == {
        "start": "2026-01-05T00:00:00Z", "end": "2026-01-06T00:00:00Z"
    }


async def test_course_average_by_month_and_year(api: Api) -> None:
    await seed(api)
    months = await api.get("/stats/course/c1/average", group_by="month")
    assert [(p["period"], p["grade_count"]) for p in months.body["averages"]] == [
        ("2025-10-01T00:00:00Z", 1), ("2025-12-01T00:00:00Z", 1), ("2026-01-01T00:00:00Z", 2)
    ]
    years = await api.get("/stats/course/c1/average", group_by="year")
    assert years.body["averages"] == [
        {"period": "2025-01-01T00:00:00Z", "average_grade": 6.5, "grade_count": 2},
        {"period": "2026-01-01T00:00:00Z", "average_grade": 6.38, "grade_count": 2},
    ]


async def test_student_task_comparison(api: Api) -> None:
    await seed(api)
    reply = await api.get(f"/stats/student/{BEN}/course/c1/task/average")
    assert reply.body == {
        "student_id": BEN,
        "course_id": "c1",
        "student_average": 7.01,  # 7.005 rounds half up
        "other_students": [
            {"student_id": ANA, "average_grade": 7.75, "grade_count": 2},
            {"student_id": CAL, "average_grade": 3.0, "grade_count": 1},
        ],
    }


async def test_student_task_comparison_without_own_grades_warns(api: Api) -> None:
    await seed(api)
    student = "11111111-1111-4111-8111-111111111111"
    reply = await api.get(f"/stats/student/{student}/course/c1/task/average")
    assert reply.status == 200
    assert reply.body["student_average"] is None
    assert [s["student_id"] for s in reply.body["other_students"]] == [ANA, BEN, CAL]
    assert isinstance(reply.body["warning"], str) and student in reply.body["warning"]


async def test_task_averages(api: Api) -> None:
    await seed(api)
    reply = await api.get("/stats/course/c1/task/t1/averages")
    assert reply.body == {
        "course_id": "c1",
        "task_id": "t1",
        "group_average": 8.0,  # (9 + 7.005) / 2 = 8.0025
        "students": [
            {"student_id": ANA, "average_grade": 9.0, "grade_count": 1},
            {"student_id": BEN, "average_grade": 7.01, "grade_count": 1},
        ],
    }


async def test_task_averages_without_grades(api: Api) -> None:
    reply = await api.get("/stats/course/c1/task/t1/averages")
    assert reply.body == {"course_id": "c1", "task_id": "t1", "group_average": None, "students": []}


async def test_course_on_time_percentage_by_week(api: Api) -> None:
    await seed(api)
    reply = await api.get("/stats/course/c1/on_time_percentage", group_by="week")
    assert reply.body == {
        "course_id": "c1",
        "data": [
            {"period": "2026-01-05T00:00:00Z", "on_time_count": 2, "total_count": 3,
             "percentage": 66.67},
            {"period": "2026-01-12T00:00:00Z", "on_time_count": 0, "total_count": 1,
             "percentage": 0.0},
        ],
        "time_range": {"start": None, "end": "2026-01-15T12:00:11Z"},
        "group_by": "week",
    }


async def test_course_on_time_percentage_all_time(api: Api) -> None:
    await seed(api)
    reply = await api.get("/stats/course/c1/on_time_percentage")
    assert reply.body["data"] == [
        {"period": "all_time", "on_time_count": 2, "total_count": 4, "percentage": 50.0}
    ]
    assert "student_id" not in reply.body


async def test_student_on_time_percentage(api: Api) -> None:
    await seed(api)
    reply = await api.get(
        f"/stats/course/c1/student/{ANA}/on_time_percentage",
        start_date="2026-01-01", end_date="2026-01-31", group_by="day",
    )
    assert reply.body == {
        "course_id": "c1",
        "student_id": ANA,
        "data": [
            {"period": "2026-01-06T00:00:00Z", "on_time_count": 0, "total_count": 1,
             "percentage": 0.0},
            {"period": "2026-01-07T00:00:00Z", "on_time_count": 1, "total_count": 1,
             "percentage": 100.0},
        ],
        "time_range": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
        "group_by": "day",
    }


async def test_on_time_series_is_empty_without_data(api: Api) -> None:
    reply = await api.get(f"/stats/course/c1/student/{ANA}/on_time_percentage", group_by="year")
    assert reply.status == 200 and reply.body["data"] == []


async def test_a_write_is_visible_to_reads_once_processed(api: Api) -> None:
    before = await api.get("/stats/course/c7/task/t1/averages")
    assert before.body["students"] == []
    await api.task_grade(student_id=ANA, course_id="c7", task_id="t1", grade=8)
    after = await api.get("/stats/course/c7/task/t1/averages")
    assert after.body["group_average"] == 8.0
    summary = await api.get(f"/stats/student/{ANA}/course/c7")
    assert summary.body["assignments_completed"] == 1
    assert summary.body["on_time_percentage"] == 100.0  # on_time defaults to true


async def test_a_default_graded_at_is_the_time_accepted(api: Api) -> None:
    api.clock.set(api.clock.now().replace(day=3, hour=23, minute=59))
    await api.grade(student_id=ANA, course_id="c1", grade=6)
    reply = await api.get("/stats/course/c1/average", group_by="day")
    assert reply.body["averages"] == [
        {"period": "2026-01-03T00:00:00Z", "average_grade": 6.0, "grade_count": 1}
    ]
