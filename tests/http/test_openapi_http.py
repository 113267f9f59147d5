"""The OpenAPI document is complete and true: every route is in it, everything in it is routed,
it is served with its interactive docs, and the answer checker used by every HTTP test works."""

import json
import re

import pytest
from aiohttp import web
from http_api import Api
from jsonschema import Draft202012Validator
from openapi_check import check_answer, spec, validate

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

ANA = "00000000-0000-4000-8000-00000000000a"


def routed_operations(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route, less aiohttp's automatic HEADs, each path's
    catch-all 405 (any other method) and the docs' static assets (files, not API operations)."""
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method not in {"HEAD", "*"}
        and not isinstance(route.resource, web.StaticResource)
    }


def documented_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in spec()["paths"].items()
        for method in operations
    }


def test_every_route_is_documented_and_every_documented_operation_is_routed() -> None:
    app = create_app(build_container(Settings(database={"storage": "memory"})))
    routed = routed_operations(app)
    assert routed == documented_operations()
    assert ("GET", "/stats/student/{student_id}/course/{course_id}") in routed  # not vacuous
    assert len(routed) >= 15


def test_the_document_is_openapi_3_1_with_valid_schemas_and_resolvable_refs() -> None:
    document = spec()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(schemas), refs - set(schemas)
    operation_ids = [
        op["operationId"] for ops in document["paths"].values() for op in ops.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            assert op["summary"] and op["tags"], (method, path)
            assert any(status.startswith("2") for status in op["responses"]), (method, path)
            in_path = set(re.findall(r"\{(\w+)\}", path))
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert in_path == declared, (method, path)


def test_errors_are_documented_as_problem_documents() -> None:
    op = spec()["paths"]["/stats/student/grade"]["post"]
    for status in ("400", "413", "415", "503"):
        content = op["responses"][status]["content"]
        assert content == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CourseGradeBody"
    }


def test_views_document_every_field_they_always_write() -> None:
    schemas = spec()["components"]["schemas"]
    summary = schemas["StudentCourseSummaryView"]
    assert set(summary["required"]) == set(summary["properties"])
    # one route leaves student_id out, the other writes it: two schemas
    assert "student_id" not in schemas["CourseOnTimePercentage"]["properties"]
    assert "student_id" in schemas["OnTimePercentageView"]["required"]
    # written only when there is one
    assert "warning" not in schemas["StudentTaskComparison"]["required"]


def test_the_answer_checker_rejects_what_the_document_does_not_say() -> None:
    good = {"status": "OK"}
    check_answer("GET", "/stats/health", 200, "application/json", good)
    with pytest.raises(AssertionError, match="does not list"):
        check_answer("GET", "/stats/health", 418, "application/json", good)
    with pytest.raises(AssertionError, match="'fine' is not one of|'OK' was expected"):
        check_answer("GET", "/stats/health", 200, "application/json", {"status": "fine"})
    with pytest.raises(AssertionError, match="documented"):
        check_answer("GET", "/stats/health", 200, "text/plain", "OK")
    with pytest.raises(AssertionError, match="no such documented operation"):
        check_answer("GET", "/stats/nowhere", 200, "application/json", good)
    summary = {
        "student_id": "not-a-uuid", "course_id": "c1", "average_grade": 1.0,
        "task_average": None, "assignments_completed": 1, "on_time_percentage": None,
    }
    with pytest.raises(AssertionError, match="uuid"):
        check_answer("GET", f"/stats/student/{ANA}/course/c1", 200, "application/json", summary)
    with pytest.raises(AssertionError, match="'detail' is a required property"):
        validate({"$ref": "#/components/schemas/Problem"},
                 {"type": "about:blank", "title": "Not Found", "status": 404})


async def test_the_document_is_served(api: Api) -> None:
    reply = await api.get("/stats/openapi.json")
    assert reply.status == 200 and reply.content_type == "application/json"
    assert reply.body == spec()


async def test_the_docs_page_and_its_assets_load_from_the_service_itself(api: Api) -> None:
    reply = await api.get("/stats/docs")
    assert reply.status == 200 and reply.content_type == "text/html"
    html = reply.body
    assert not re.findall(r"(?:https?:)?//[\w.-]+", html), "the page must not load from outside"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert "/stats/openapi.json" in html
    for asset in assets:
        response = await api.client.get(asset)
        body = await response.read()
        assert response.status == 200, asset
        assert len(body) > 100, asset
        expected = {"js": "javascript", "css": "text/css", "png": "image/png"}[
            asset.rsplit(".", 1)[-1]
        ]
        assert expected in response.content_type, (asset, response.content_type)


async def test_a_missing_asset_is_a_404(api: Api) -> None:
    response = await api.client.get("/stats/docs/assets/nope.js")
    assert response.status == 404
