"""Talking to the API in tests: JSON in, JSON out, and waiting for the in-process worker."""

from dataclasses import dataclass
from typing import Any, BinaryIO

from aiohttp.test_utils import TestClient
from openapi_check import check_answer

from adapters.memory import ManualClock
from entrypoints.container import Container

PROBLEM_JSON = "application/problem+json"


@dataclass
class Reply:
    status: int
    content_type: str
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]
    container: Container
    clock: ManualClock

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        return await self.send("POST", path, json=body, headers=headers)

    async def post_raw(
        self, path: str, data: bytes | str | BinaryIO, content_type: str | None
    ) -> Reply:
        headers = {"Content-Type": content_type} if content_type else {}
        return await self.send("POST", path, data=data, headers=headers)

    async def get(self, path: str, **params: str) -> Reply:
        return await self.send("GET", path, params=params)

    async def send(self, method: str, path: str, **kwargs: Any) -> Reply:
        """Every answer is checked against the OpenAPI document: a route, status, media type
        or body shape it does not describe fails the test that received it."""
        response = await self.client.request(method, path, **kwargs)
        text = await response.text()
        body: Any = text
        if response.content_type.endswith("json"):
            body = await response.json(content_type=None) if text else None
        check_answer(method, response.url.raw_path, response.status, response.content_type, body)
        return Reply(response.status, response.content_type, body, dict(response.headers))

    async def grade(self, **body: Any) -> Reply:
        reply = await self.post("/stats/student/grade", body)
        assert reply.status == 200, reply.body
        return reply

    async def task_grade(self, **body: Any) -> Reply:
        reply = await self.post("/stats/student/task/grade", body)
        assert reply.status == 200, reply.body
        return reply

    def recorded(self) -> int:
        """How many events the store holds, of either kind."""
        database = self.container.adapters.database()
        return len(database.course_grades) + len(database.task_events)
