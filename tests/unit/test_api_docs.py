"""docs/api.md documents every operation of the OpenAPI document: a section headed by its method
and path (`### GET /stats/health`; one section may head several, joined by "and"), which names
every error status the operation may answer with."""

import json
import re
from pathlib import Path

from entrypoints.http.routes import openapi_bytes

API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = {"get", "post", "put", "patch", "delete"}


def sections(text: str) -> dict[str, str]:
    """Each operation named in a `###` heading, as "METHOD /path", to its section's text."""
    found = {}
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        for operation in heading.split(" and "):
            found[operation.strip()] = body
    return found


def operations() -> dict[str, set[str]]:
    """Each operation of the OpenAPI document to the error statuses it declares."""
    document = json.loads(openapi_bytes())
    return {
        f"{method.upper()} {path}": {status for status in operation["responses"] if status >= "4"}
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_every_operation_has_a_section() -> None:
    documented = sections(API_DOCS.read_text(encoding="utf-8"))
    assert sorted(set(operations()) - set(documented)) == []


def test_every_section_names_the_error_statuses_of_its_operation() -> None:
    documented = sections(API_DOCS.read_text(encoding="utf-8"))
    unnamed = {
        operation: sorted(status for status in statuses if status not in documented[operation])
        for operation, statuses in operations().items()
        if operation in documented
    }
    assert {operation: missing for operation, missing in unnamed.items() if missing} == {}


def test_sections_are_read_from_headings() -> None:
    text = "### GET /a and GET /b\nErrors: 400.\n### POST /c\nnone\n"
    assert sections(text) == {
        "GET /a": "Errors: 400.\n",
        "GET /b": "Errors: 400.\n",
        "POST /c": "none\n",
    }
