"""Reads: averages, comparisons and on-time rates, each the View of one query use case."""

from datetime import date

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from application import queries as q
from application import views as v
from domain.periods import GroupBy
from entrypoints.http.access import Access, principal_of
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.keys import USE_CASES
from entrypoints.http.params import Params

endpoints = Endpoints(tag="statistics")
READ_ERRORS = (400, 503)


class PeriodQuery(BaseModel):
    """The query string of a series over time (parsed by `Params`; this model documents it)."""

    model_config = ConfigDict(extra="ignore")

    start_date: date | None = Field(default=None, description="YYYY-MM-DD, inclusive (UTC)")
    end_date: date | None = Field(default=None, description="YYYY-MM-DD, inclusive (UTC)")
    group_by: GroupBy | None = Field(
        default=None, description="Bucket the series; without it one row, period `all_time`"
    )


@endpoints.get(
    "/stats/student/{student_id}/course/{course_id}",
    access=Access.STUDENT,
    summary="A student's averages and on-time rate in a course",
    reply=Reply(v.StudentCourseSummaryView),
    errors=(400, 404, 503),
)
async def student_course_summary(request: web.Request) -> v.StudentCourseSummaryView:
    p = Params(request)
    query = q.GetStudentCourseSummary(p.student_id(), p.course_id())
    p.done()
    return await request.app[USE_CASES].student_course_summary()(query)


@endpoints.get(
    "/stats/student/{student_id}/average",
    access=Access.STUDENT,
    summary="A student's average over their course-level grades, optionally per period",
    query=PeriodQuery,
    reply=Reply(v.StudentAverageView),
    errors=READ_ERRORS,
)
async def student_average(request: web.Request) -> v.StudentAverageView:
    p = Params(request)
    query = q.GetStudentAverage(p.student_id(), p.window(), p.group_by())
    p.done()
    return await request.app[USE_CASES].student_average()(query)


@endpoints.get(
    "/stats/course/{course_id}/average",
    access=Access.COURSE,
    summary="A course's average over its course-level grades, optionally per period",
    query=PeriodQuery,
    reply=Reply(v.CourseAverageView),
    errors=READ_ERRORS,
)
async def course_average(request: web.Request) -> v.CourseAverageView:
    p = Params(request)
    query = q.GetCourseAverage(p.course_id(), p.window(), p.group_by())
    p.done()
    return await request.app[USE_CASES].course_average()(query)


@endpoints.get(
    "/stats/student/{student_id}/course/{course_id}/task/average",
    access=Access.STUDENT,
    summary="A student's task average beside the other students' in the course, best first",
    reply=Reply(
        v.StudentTaskComparisonView,
        omit_if_none=frozenset({"warning"}),
        schema_name="StudentTaskComparison",
    ),
    errors=READ_ERRORS,
)
async def student_task_comparison(request: web.Request) -> v.StudentTaskComparisonView:
    p = Params(request)
    anonymize = not principal_of(request).sees_peer_ids
    query = q.GetStudentTaskComparison(p.student_id(), p.course_id(), anonymize_peers=anonymize)
    p.done()
    return await request.app[USE_CASES].student_task_comparison()(query)


@endpoints.get(
    "/stats/course/{course_id}/task/{task_id}/averages",
    access=Access.COURSE,
    summary="Every student's current grade of a task and the group average",
    reply=Reply(v.TaskAveragesView),
    errors=READ_ERRORS,
)
async def task_averages(request: web.Request) -> v.TaskAveragesView:
    p = Params(request)
    query = q.GetTaskAverages(p.course_id(), p.task_id())
    p.done()
    return await request.app[USE_CASES].task_averages()(query)


@endpoints.get(
    "/stats/course/{course_id}/on_time_percentage",
    access=Access.COURSE,
    summary="The share of a course's current task grades handed in on time",
    query=PeriodQuery,
    reply=Reply(
        v.OnTimePercentageView,
        omit=frozenset({"student_id"}),
        schema_name="CourseOnTimePercentage",
    ),
    errors=READ_ERRORS,
)
async def course_on_time(request: web.Request) -> v.OnTimePercentageView:
    p = Params(request)
    query = q.GetOnTimePercentage(p.course_id(), None, p.window(), p.group_by())
    p.done()
    return await request.app[USE_CASES].on_time_percentage()(query)


@endpoints.get(
    "/stats/course/{course_id}/student/{student_id}/on_time_percentage",
    access=Access.STUDENT,
    summary="The share of a student's current task grades in a course handed in on time",
    query=PeriodQuery,
    reply=Reply(v.OnTimePercentageView),
    errors=READ_ERRORS,
)
async def student_on_time(request: web.Request) -> v.OnTimePercentageView:
    p = Params(request)
    query = q.GetOnTimePercentage(p.course_id(), p.student_id(), p.window(), p.group_by())
    p.done()
    return await request.app[USE_CASES].on_time_percentage()(query)
