"""The console's pages: one HTML shell per page, the same for every id (the page's script reads
the id from its URL and asks the API). The ids in the path are checked as the API checks them,
so a malformed one is a 400 here too."""

import functools
from dataclasses import dataclass
from string import Template

from aiohttp import web

from domain.values import CourseId, StudentId
from entrypoints.http.access import Access
from entrypoints.http.endpoints import Endpoints, Reply
from entrypoints.http.ui import STATIC_DIR, STATIC_URL

endpoints = Endpoints(tag="console")

TEMPLATES = STATIC_DIR.parent / "templates"
PAGE = {
    "access": Access.PUBLIC,
    "reply": Reply(media_type="text/html", description="An HTML page of the web console"),
}
# The pages run only their own scripts, talk only to this service, and cannot be framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True, slots=True)
class CoursePage:
    course_id: CourseId


@dataclass(frozen=True, slots=True)
class StudentPage:
    student_id: StudentId


@functools.cache
def render(page: str, title: str) -> str:
    """The shell with the page's own main part and script."""
    shell = Template((TEMPLATES / "shell.html").read_text(encoding="utf-8"))
    main = Template((TEMPLATES / f"{page}.html").read_text(encoding="utf-8"))
    return shell.substitute(title=title, page=page, static=STATIC_URL,
                           main=main.substitute(static=STATIC_URL))


def _html(page: str, title: str) -> web.Response:
    return web.Response(
        text=render(page, title), content_type="text/html", headers=SECURITY_HEADERS
    )


@endpoints.get("/stats/ui/", summary="The web console's home page", **PAGE)
async def console_home(request: web.Request) -> web.Response:
    return _html("home", "Console")


@endpoints.get("/stats/ui", summary="The web console's home page (as /stats/ui/)", **PAGE)
async def console_home_bare(request: web.Request) -> web.Response:
    return _html("home", "Console")


@endpoints.get(
    "/stats/ui/course/{course_id}",
    summary="The web console's page of a course: averages, tasks, on time, students, at risk",
    errors=(400,),
    **PAGE,
)
async def console_course(request: web.Request, page: CoursePage) -> web.Response:
    return _html("course", "Course")


@endpoints.get(
    "/stats/ui/student/{student_id}",
    summary="The web console's page of a student: their courses, standing and trends",
    errors=(400,),
    **PAGE,
)
async def console_student(request: web.Request, page: StudentPage) -> web.Response:
    return _html("student", "Student")


@endpoints.get(
    "/stats/ui/queue",
    summary="The web console's queue page, for operators: state, consumers, processed and "
    "failed per minute, dead letters; replay, delete, pause and resume",
    **PAGE,
)
async def console_queue(request: web.Request) -> web.Response:
    return _html("queue", "Queue")
