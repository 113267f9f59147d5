"""Authentication and authorization over HTTP: every route × role × own/other data."""

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
import pytest
from dependency_injector import providers
from http_api import PROBLEM_JSON, Api

from adapters.memory import ManualClock
from entrypoints.container import build_container
from entrypoints.http.access import UnsafeConfiguration, token_verifier
from entrypoints.http.app import create_app
from entrypoints.http.routes import all_endpoints
from entrypoints.settings import Settings

SECRET = "an-http-test-secret-long-enough-for-hs256-0123"
ME = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
PEER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
TAUGHT, UNTAUGHT = "algebra", "physics"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def token(role: str, sub: str = ME, **claims: Any) -> str:
    body = {"sub": sub, "role": role, "exp": int(time.time()) + 600, **claims}
    return jwt.encode(body, SECRET, algorithm="HS256")


def bearer(role: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **claims)}"}


@pytest.fixture
async def secured(aiohttp_client: Callable[[Any], Awaitable[Any]], clock: ManualClock) -> Api:
    container = build_container(
        Settings(
            database={"storage": "memory"}, auth={"jwt_secret": SECRET},
            http={"live_stream_seconds": 0.2},  # a live stream's answer ends
        )
    )
    container.adapters.clock.override(providers.Object(clock))
    api = Api(await aiohttp_client(create_app(container)), container, clock)
    service = bearer("service")
    for student, course, task, grade in (
        (ME, TAUGHT, "hw1", 6),
        (PEER, TAUGHT, "hw1", 9),
        (ME, UNTAUGHT, "lab", 7),
    ):
        body = {"student_id": student, "course_id": course, "task_id": task, "grade": grade}
        assert (await api.post("/stats/student/task/grade", body, service)).status == 200
    return api


# Who may call what, written out independently of the code: route -> the roles allowed, where
# "student:own" means a student whose token subject is the path's student_id, and
# "teacher:taught" a teacher whose `courses` holds the path's course_id.
STUDENT_PATH = {"student:own", "teacher:taught", "admin", "service"}
STUDENT_ONLY_PATH = {"student:own", "admin", "service"}  # no course in the path
COURSE_PATH = {"teacher:taught", "admin", "service"}
WRITE = {"admin", "service"}
RULES: dict[str, set[str] | None] = {  # None: public
    "health": None,
    "ready": None,
    "metrics": None,
    "openapi_json": None,
    "api_docs": None,
    "front_door": None,
    "front_door_slash": None,
    "service_version_view": None,
    "console_home": None,  # the console's pages hold no data: their scripts ask the API
    "console_home_bare": None,
    "console_course": None,
    "console_student": None,
    "console_queue": None,
    "admin_queue": {"admin"},
    "list_dead_letters": {"admin"},
    "replay_all_dead_letters": {"admin"},
    "replay_dead_letter": {"admin"},
    "delete_dead_letter": {"admin"},
    "pause_queue": {"admin"},
    "resume_queue": {"admin"},
    "post_course_grade": WRITE,
    "post_task_grade": WRITE,
    "post_grade_batch": WRITE,
    "delete_student": WRITE,
    "student_course_summary": STUDENT_PATH,
    "student_task_comparison": STUDENT_PATH,
    "student_on_time": STUDENT_PATH,
    "student_average": STUDENT_ONLY_PATH,
    "student_courses": STUDENT_ONLY_PATH,
    "course_average": COURSE_PATH,
    "task_averages": COURSE_PATH,
    "course_on_time": COURSE_PATH,
    "course_task_spreads": COURSE_PATH,
    "course_students": COURSE_PATH,
    "course_distribution": COURSE_PATH,
    "course_at_risk": COURSE_PATH,
    "course_export": COURSE_PATH,
    "course_changes": COURSE_PATH,
}
CALLERS = {  # name -> (role, claims)
    "student:own": ("student", {"sub": ME}),
    "student:other": ("student", {"sub": PEER}),
    "teacher:taught": ("teacher", {"sub": str(uuid.uuid4()), "courses": [TAUGHT]}),
    "teacher:untaught": ("teacher", {"sub": str(uuid.uuid4()), "courses": [UNTAUGHT]}),
    "admin": ("admin", {"sub": str(uuid.uuid4())}),
    "service": ("service", {"sub": str(uuid.uuid4())}),
}


def test_every_route_has_a_rule_here() -> None:
    assert {e.operation_id for e in all_endpoints()} == set(RULES)


def _cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for e in all_endpoints():
        path = (
            e.path.replace("{student_id}", ME)
            .replace("{course_id}", TAUGHT)
            .replace("{task_id}", "hw1")
            .replace("{dead_letter_id}", "1-0")
        )
        for caller in (*CALLERS, "anonymous"):
            cases.append((e.operation_id, e.method, path, caller))
    return cases


@pytest.mark.parametrize(("operation", "method", "path", "caller"), _cases())
async def test_the_access_matrix(
    secured: Api, operation: str, method: str, path: str, caller: str
) -> None:
    headers = {}
    if caller != "anonymous":
        role, claims = CALLERS[caller]
        headers = bearer(role, **claims)
    reply = await secured.send(method, path, headers=headers, json={} if method == "POST" else None)
    allowed = RULES[operation]
    if allowed is None:
        assert reply.status not in (401, 403), reply.body
    elif caller == "anonymous":
        assert reply.status == 401, reply.body
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    elif caller in allowed:
        assert reply.status not in (401, 403), reply.body
    else:
        assert reply.status == 403, reply.body
        assert reply.content_type == PROBLEM_JSON


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        (
            "bad signature",
            jwt.encode(
                {"sub": ME, "role": "admin", "exp": int(time.time()) + 60},
                SECRET + "x",
                algorithm="HS256",
            ),
        ),
        (
            "alg none",
            jwt.encode(
                {"sub": ME, "role": "admin", "exp": int(time.time()) + 60}, None, algorithm="none"
            ),
        ),
        (
            "expired",
            jwt.encode(
                {"sub": ME, "role": "admin", "exp": int(time.time()) - 3600},
                SECRET,
                algorithm="HS256",
            ),
        ),
        ("no role", jwt.encode({"sub": ME, "exp": int(time.time()) + 60}, SECRET, "HS256")),
        ("no exp", jwt.encode({"sub": ME, "role": "admin"}, SECRET, algorithm="HS256")),
    ],
)
async def test_bad_tokens_get_a_401_that_tells_an_attacker_nothing(
    secured: Api, name: str, raw: str
) -> None:
    reply = await secured.send(
        "GET", f"/stats/course/{TAUGHT}/average", headers={"Authorization": f"Bearer {raw}"}
    )
    assert reply.status == 401 and reply.content_type == PROBLEM_JSON
    assert reply.body["detail"] == "Invalid token."
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}],
    ids=["no header", "another scheme", "no token"],
)
async def test_a_request_without_a_bearer_token_gets_a_challenge_without_an_error_code(
    secured: Api, headers: dict[str, str]
) -> None:
    # RFC 6750 section 3.1: no error code when the request carries no authentication for us
    reply = await secured.send("GET", f"/stats/course/{TAUGHT}/average", headers=headers)
    assert reply.status == 401 and reply.content_type == PROBLEM_JSON
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="classconnect-stats"'


async def test_a_refused_token_gets_the_invalid_token_error_code(secured: Api) -> None:
    reply = await secured.send(
        "GET", f"/stats/course/{TAUGHT}/average", headers={"Authorization": "Bearer not.a.jwt"}
    )
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == (
        'Bearer realm="classconnect-stats", error="invalid_token"'
    )


async def test_a_wrong_audience_is_refused(
    aiohttp_client: Callable[[Any], Awaitable[Any]], clock: ManualClock
) -> None:
    settings = Settings(
        database={"storage": "memory"},
        auth={"jwt_secret": SECRET, "jwt_audience": "classconnect-stats"},
    )
    api = Api(await aiohttp_client(create_app(build_container(settings))), None, clock)  # type: ignore[arg-type]
    for audience, status in (("classconnect-stats", 404), ("another-service", 401), (None, 401)):
        claims = {"aud": audience} if audience else {}
        reply = await api.send(
            "GET", f"/stats/student/{ME}/course/{TAUGHT}", headers=bearer("admin", **claims)
        )
        assert reply.status == status, (audience, reply.body)


async def test_a_student_sees_peers_without_their_ids(secured: Api) -> None:
    path = f"/stats/student/{ME}/course/{TAUGHT}/task/average"
    own = await secured.send("GET", path, headers=bearer("student", sub=ME))
    assert own.status == 200
    [peer] = own.body["other_students"]
    assert peer["alias"].startswith("peer-") and "student_id" not in peer
    assert set(UUID_RE.findall(str(own.body))) == {ME}
    again = await secured.send("GET", path, headers=bearer("student", sub=ME))
    assert again.body["other_students"][0]["alias"] == peer["alias"]  # stable
    teacher = await secured.send("GET", path, headers=bearer("teacher", courses=[TAUGHT]))
    assert teacher.body["other_students"][0]["student_id"] == PEER


def test_no_key_means_no_service_beyond_loopback() -> None:
    assert token_verifier(Settings(database={"storage": "memory"})) is None
    with pytest.raises(UnsafeConfiguration):
        token_verifier(Settings(database={"storage": "memory"}, http={"host": "0.0.0.0"}))
    with pytest.raises(UnsafeConfiguration):
        token_verifier(Settings(database={"storage": "memory"}, auth={"mode": "on"}))
    anywhere = {"database": {"storage": "memory"}, "http": {"host": "0.0.0.0"}}
    assert token_verifier(Settings(**anywhere, auth={"mode": "off"})) is None
    assert token_verifier(Settings(**anywhere, auth={"jwt_secret": SECRET}))
