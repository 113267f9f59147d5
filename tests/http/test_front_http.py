"""The front door: /stats and /stats/ answer 200 with links a person or a program can follow."""

import re
from importlib.metadata import version

import pytest
from http_api import Api

LINKED = ["/stats/ui/", "/stats/docs", "/stats/openapi.json", "/stats/health", "/stats/ready", "/metrics",
          "/stats/version"]


@pytest.mark.parametrize("path", ["/stats", "/stats/"])
async def test_a_browser_gets_a_page_of_links(api: Api, path: str) -> None:
    reply = await api.send("GET", path, headers={"Accept": "text/html,*/*;q=0.8"})
    assert reply.status == 200
    assert reply.content_type == "text/html"
    hrefs = re.findall(r'href="([^"]+)"', reply.body)
    assert hrefs == LINKED
    assert 'name="viewport"' in reply.body  # readable on a phone


@pytest.mark.parametrize("accept", ["application/json", "text/html;q=0.5, application/json"])
async def test_a_program_gets_the_links_as_json(api: Api, accept: str) -> None:
    reply = await api.send("GET", "/stats", headers={"Accept": accept})
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert reply.body["service"] == "classconnect-stats"
    assert sorted(reply.body["links"].values()) == sorted(LINKED)


async def test_no_accept_header_gets_the_page(api: Api) -> None:
    reply = await api.send("GET", "/stats/", headers={"Accept": ""})
    assert reply.content_type == "text/html"


async def test_every_linked_page_answers(api: Api) -> None:
    for path in LINKED:
        reply = await api.send("GET", path)
        assert reply.status == 200, (path, reply.body)


async def test_version_names_the_installed_release(api: Api) -> None:
    reply = await api.get("/stats/version")
    assert reply.body == {"service": "classconnect-stats",
                          "version": version("classconnect-stats")}
