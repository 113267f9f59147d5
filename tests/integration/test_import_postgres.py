"""The import on PostgreSQL, through the container's event queue: a broken row in the middle, an
interruption and a re-run, and the `import` command itself."""

import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import pytest

from adapters.memory import ManualClock
from adapters.postgres import migrate
from application.handlers.submit_grades import SubmitGradesHandler
from application.ports import EventQueue
from domain.events import GradeEvent
from entrypoints.cli import main
from entrypoints.cli.importer import import_file
from entrypoints.container import build_container, open_resources
from entrypoints.settings import Settings

sys.path.append(str(Path(__file__).parent.parent / "unit"))
from test_importer import csv_file

pytestmark = pytest.mark.integration


class Interrupted(Exception):
    pass


class FailingAt:
    """The container's queue, until the `fail_at`-th publish."""

    def __init__(self, queue: EventQueue, fail_at: int | None) -> None:
        self._queue, self._fail_at, self._count = queue, fail_at, 0

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        self._count += 1
        if self._count == self._fail_at:
            raise Interrupted
        await self._queue.publish(events)


async def counts(url: str) -> tuple[int, int, int, list[tuple[object, ...]]]:
    connection = await asyncpg.connect(url)
    try:
        course = await connection.fetchval("SELECT count(*) FROM course_grades")
        events = await connection.fetchval("SELECT count(*) FROM task_grade_events")
        current = await connection.fetchval("SELECT count(*) FROM current_task_grades")
        slots = [
            tuple(r)
            for r in await connection.fetch(
                "SELECT student_id, task_id, grade FROM current_task_grades ORDER BY 1, 2"
            )
        ]
        return course, events, current, slots
    finally:
        await connection.close()


async def run_import(url: str, path: Path, fail_at: int | None = None) -> object:
    container = build_container(Settings(database={"url": url}))
    async with open_resources(container):
        submit = SubmitGradesHandler(FailingAt(container.use_cases.event_queue(), fail_at))
        return await import_file(path, submit, ManualClock(), rejects_path=path.with_suffix(".rej"),
                                 batch_size=5)


async def test_interrupted_import_rerun_counts_once(
    tmp_path: Path, fresh_database_url: str, postgres_server_url: str
) -> None:
    await migrate(fresh_database_url)
    path = csv_file(tmp_path, broken_at=14)
    with pytest.raises(Interrupted):
        await run_import(fresh_database_url, path, fail_at=3)
    partial = await counts(fresh_database_url)
    assert 0 < partial[0] + partial[1] < 29
    await run_import(fresh_database_url, path)
    await run_import(fresh_database_url, path)  # and once more for good measure
    rerun = await counts(fresh_database_url)
    [reject] = [json.loads(x) for x in path.with_suffix(".rej").read_text().splitlines()]
    assert reject["line"] == 14

    # the same file in one go, into another database
    name = f"ccstats_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        other = fresh_database_url.rsplit("/", 1)[0] + "/" + name
        await migrate(other)
        await run_import(other, path)
        assert await counts(other) == rerun
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_the_import_command_on_postgres(
    tmp_path: Path, fresh_database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATS_DATABASE_URL", fresh_database_url)
    path = csv_file(tmp_path)
    main(["import", str(path), "--batch-size", "10", "--no-progress"])
    main(["import", str(path), "--batch-size", "3", "--no-progress"])
    assert f"{path}: 30 rows read, 30 accepted in 10 batches, 0 rejected" in capsys.readouterr().out
    course, events, _, _ = asyncio.run(counts(fresh_database_url))
    assert (course, events) == (6, 24)  # the second run counted nothing again
