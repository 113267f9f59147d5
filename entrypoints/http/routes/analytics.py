"""Analytics beyond the old service: spreads per task, standings, distributions, students at
risk, a student's courses, and the course's grade table as CSV."""

from aiohttp import web

from application import queries as a
from application import views as v
from application.handlers.export_course_grades import csv_lines
from entrypoints.http.access import Access
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.kept_answers import Kept, path_and_listed_courses
from entrypoints.http.keys import USE_CASES
from entrypoints.http.middleware import prepare_stream
from entrypoints.http.params import AtRiskQuery, StudentsQuery

endpoints = Endpoints(tag="analytics")
READ_ERRORS = (400, 503)


@endpoints.get(
    "/stats/course/{course_id}/tasks",
    kept=Kept(),
    access=Access.COURSE,
    summary="Per task: the spread of current grades (quartiles, std dev, histogram), on time/late",
    reply=Reply(v.TaskSpreadsView),
    errors=READ_ERRORS,
)
async def course_task_spreads(
    request: web.Request, query: a.GetTaskSpreads
) -> v.TaskSpreadsView:
    return await request.app[USE_CASES].task_spreads()(query)


@endpoints.get(
    "/stats/course/{course_id}/students",
    kept=Kept(),
    access=Access.COURSE,
    summary="The course's students with their standing, sorted and cursor-paged",
    description="rank 1 = best task average (ties share a rank); percentile = share of the "
    "course's ranked students with a lower average. Rank and percentile are over the whole "
    "course, whatever the page.",
    query=StudentsQuery,
    reply=Reply(v.CourseStudentsView),
    errors=READ_ERRORS,
)
async def course_students(
    request: web.Request, query: a.ListCourseStudents
) -> v.CourseStudentsView:
    return await request.app[USE_CASES].course_students()(query)


@endpoints.get(
    "/stats/course/{course_id}/distribution",
    kept=Kept(),
    access=Access.COURSE,
    summary="The distribution of the course's student task averages",
    reply=Reply(v.AverageDistributionView),
    errors=READ_ERRORS,
)
async def course_distribution(
    request: web.Request, query: a.GetAverageDistribution
) -> v.AverageDistributionView:
    return await request.app[USE_CASES].average_distribution()(query)


@endpoints.get(
    "/stats/course/{course_id}/at_risk",
    kept=Kept(),
    access=Access.COURSE,
    summary="Students falling behind: low average, often late, or declining",
    query=AtRiskQuery,
    reply=Reply(v.AtRiskView),
    errors=READ_ERRORS,
)
async def course_at_risk(request: web.Request, query: a.FindAtRiskStudents) -> v.AtRiskView:
    return await request.app[USE_CASES].at_risk_students()(query)


@endpoints.get(
    "/stats/student/{student_id}/courses",
    kept=Kept(reads=path_and_listed_courses),
    access=Access.STUDENT,
    summary="Every course a student has grades in, with their standing there",
    reply=Reply(v.StudentCoursesView),
    errors=READ_ERRORS,
)
async def student_courses(
    request: web.Request, query: a.GetStudentCourses
) -> v.StudentCoursesView:
    return await request.app[USE_CASES].student_courses()(query)


@endpoints.get(
    "/stats/course/{course_id}/export.csv",
    access=Access.COURSE,
    summary="The course's current task grades as a student x task table, for spreadsheets",
    reply=Reply(None, media_type="text/csv"),
    errors=READ_ERRORS,
)
async def course_export(
    request: web.Request, query: a.ExportCourseGrades
) -> web.StreamResponse:
    rows = request.app[USE_CASES].export_course_grades()(query)
    lines = csv_lines(rows)
    first = await anext(lines)  # a failure before the first row still becomes a problem document
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{query.course_id}-grades.csv"',
        }
    )
    await prepare_stream(request, response)
    await response.write(first.encode())
    async for line in lines:
        await response.write(line.encode())
    await response.write_eof()
    return response
