"""The /stats routes. Each handler parses, calls one use case and serialises its View."""

import functools
from typing import Any, TypeVar

import pydantic
from aiohttp import web

from application import queries as q
from entrypoints.container import UseCases
from entrypoints.http.params import Params, idempotency_key
from entrypoints.http.problems import BadRequest, field_errors
from entrypoints.http.schemas import CourseGradeBody, TaskGradeBody

USE_CASES = web.AppKey("use_cases", UseCases)
routes = web.RouteTableDef()
Body = TypeVar("Body", bound=pydantic.BaseModel)


@functools.cache
def _adapter(view_type: type) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(view_type)


def respond(view: object, omit: set[str] | None = None) -> web.Response:
    """The view as JSON; fields named in `omit` are left out (where one view serves two routes)."""
    body = _adapter(type(view)).dump_json(view, exclude=omit)
    return web.Response(body=body, content_type="application/json")


async def read_json_body(request: web.Request, model: type[Body]) -> Body:
    if request.content_type != "application/json" and not request.content_type.endswith("+json"):
        raise BadRequest(415, "Send the body as JSON with Content-Type: application/json")
    raw = await request.read()
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as e:
        if any(err["type"] == "json_invalid" for err in e.errors()):
            raise BadRequest(400, "The body is not valid JSON", field_errors(e)) from None
        raise BadRequest(400, "The body has invalid fields; see errors.", field_errors(e)) from None


def _accepted(event_id: object) -> web.Response:
    return web.json_response(
        {"status": 202, "result": "queued", "event_id": str(event_id)}, status=202
    )


@routes.get("/stats/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "OK"})


@routes.post("/stats/student/grade")
async def post_course_grade(request: web.Request) -> web.Response:
    body = await read_json_body(request, CourseGradeBody)
    command = body.to_command(idempotency_key(request, body.event_id))
    [event_id] = await request.app[USE_CASES].submit_grades()([command])
    return _accepted(event_id)


@routes.post("/stats/student/task/grade")
async def post_task_grade(request: web.Request) -> web.Response:
    body = await read_json_body(request, TaskGradeBody)
    command = body.to_command(idempotency_key(request, body.event_id))
    [event_id] = await request.app[USE_CASES].submit_grades()([command])
    return _accepted(event_id)


@routes.get("/stats/student/{student_id}/course/{course_id}")
async def student_course_summary(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetStudentCourseSummary(p.student_id(), p.course_id())
    p.done()
    return respond(await request.app[USE_CASES].student_course_summary()(query))


@routes.get("/stats/student/{student_id}/average")
async def student_average(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetStudentAverage(p.student_id(), p.window(), p.group_by())
    p.done()
    return respond(await request.app[USE_CASES].student_average()(query))


@routes.get("/stats/course/{course_id}/average")
async def course_average(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetCourseAverage(p.course_id(), p.window(), p.group_by())
    p.done()
    return respond(await request.app[USE_CASES].course_average()(query))


@routes.get("/stats/student/{student_id}/course/{course_id}/task/average")
async def student_task_comparison(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetStudentTaskComparison(p.student_id(), p.course_id())
    p.done()
    view = await request.app[USE_CASES].student_task_comparison()(query)
    return respond(view, omit={"warning"} if view.warning is None else None)


@routes.get("/stats/course/{course_id}/task/{task_id}/averages")
async def task_averages(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetTaskAverages(p.course_id(), p.task_id())
    p.done()
    return respond(await request.app[USE_CASES].task_averages()(query))


@routes.get("/stats/course/{course_id}/on_time_percentage")
async def course_on_time(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetOnTimePercentage(p.course_id(), None, p.window(), p.group_by())
    p.done()
    return respond(await request.app[USE_CASES].on_time_percentage()(query), omit={"student_id"})


@routes.get("/stats/course/{course_id}/student/{student_id}/on_time_percentage")
async def student_on_time(request: web.Request) -> web.Response:
    p = Params(request)
    query = q.GetOnTimePercentage(p.course_id(), p.student_id(), p.window(), p.group_by())
    p.done()
    return respond(await request.app[USE_CASES].on_time_percentage()(query))
