"""Reads: averages, comparisons and on-time rates, each the View of one query use case."""

import dataclasses

from aiohttp import web

from application import queries as q
from application import views as v
from entrypoints.http.access import Access, principal_of
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.kept_answers import Kept, open_ended, own_reads
from entrypoints.http.keys import USE_CASES
from entrypoints.http.params import PeriodQuery

endpoints = Endpoints(tag="statistics")
READ_ERRORS = (400, 503)


@endpoints.get(
    "/stats/student/{student_id}/course/{course_id}",
    kept=Kept(reads=own_reads),
    access=Access.STUDENT,
    summary="A student's averages and on-time rate in a course",
    reply=Reply(v.StudentCourseSummaryView),
    errors=(400, 404, 503),
)
async def student_course_summary(
    request: web.Request, query: q.GetStudentCourseSummary
) -> v.StudentCourseSummaryView:
    return await request.app[USE_CASES].student_course_summary()(query)


@endpoints.get(
    "/stats/student/{student_id}/average",
    kept=Kept(ends_now=open_ended),
    access=Access.STUDENT,
    summary="A student's average over their course-level grades, optionally per period",
    query=PeriodQuery,
    reply=Reply(v.StudentAverageView),
    errors=READ_ERRORS,
)
async def student_average(
    request: web.Request, query: q.GetStudentAverage
) -> v.StudentAverageView:
    return await request.app[USE_CASES].student_average()(query)


@endpoints.get(
    "/stats/course/{course_id}/average",
    kept=Kept(ends_now=open_ended),
    access=Access.COURSE,
    summary="A course's average over its course-level grades, optionally per period",
    query=PeriodQuery,
    reply=Reply(v.CourseAverageView),
    errors=READ_ERRORS,
)
async def course_average(
    request: web.Request, query: q.GetCourseAverage
) -> v.CourseAverageView:
    return await request.app[USE_CASES].course_average()(query)


@endpoints.get(
    "/stats/student/{student_id}/course/{course_id}/task/average",
    kept=Kept(),
    access=Access.STUDENT,
    summary="A student's task average beside the other students' in the course, best first",
    reply=Reply(
        v.StudentTaskComparisonView,
        omit_if_none=frozenset({"warning"}),
        schema_name="StudentTaskComparison",
    ),
    errors=READ_ERRORS,
)
async def student_task_comparison(
    request: web.Request, query: q.GetStudentTaskComparison
) -> v.StudentTaskComparisonView:
    anonymize = not principal_of(request).sees_peer_ids
    query = dataclasses.replace(query, anonymize_peers=anonymize)
    return await request.app[USE_CASES].student_task_comparison()(query)


@endpoints.get(
    "/stats/course/{course_id}/task/{task_id}/averages",
    kept=Kept(),
    access=Access.COURSE,
    summary="Every student's current grade of a task and the group average",
    reply=Reply(v.TaskAveragesView),
    errors=READ_ERRORS,
)
async def task_averages(
    request: web.Request, query: q.GetTaskAverages
) -> v.TaskAveragesView:
    return await request.app[USE_CASES].task_averages()(query)


@endpoints.get(
    "/stats/course/{course_id}/on_time_percentage",
    kept=Kept(ends_now=open_ended),
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
async def course_on_time(
    request: web.Request, query: q.GetOnTimePercentage
) -> v.OnTimePercentageView:
    return await request.app[USE_CASES].on_time_percentage()(query)


@endpoints.get(
    "/stats/course/{course_id}/student/{student_id}/on_time_percentage",
    kept=Kept(reads=own_reads, ends_now=open_ended),
    access=Access.STUDENT,
    summary="The share of a student's current task grades in a course handed in on time",
    query=PeriodQuery,
    reply=Reply(v.OnTimePercentageView),
    errors=READ_ERRORS,
)
async def student_on_time(
    request: web.Request, query: q.GetOnTimePercentage
) -> v.OnTimePercentageView:
    return await request.app[USE_CASES].on_time_percentage()(query)
