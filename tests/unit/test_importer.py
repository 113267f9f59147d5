"""`classconnect-stats import`: rows through the batch path, rejects with line numbers, re-runs
that count nothing twice. Over the in-memory adapters (tests/integration/test_import_postgres.py
does the same on PostgreSQL)."""

import io
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork, ManualClock
from adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from adapters.queue.in_process import InProcessEventQueue
from adapters.queue.memory import InMemoryEventQueue
from application.handlers.record_grades import RecordGradesHandler
from application.handlers.submit_grades import SubmitGradesHandler
from domain.events import GradeEvent
from entrypoints.cli import main
from entrypoints.cli.importer import ImportReport, UnreadableFile, import_file

HEADER = "kind,student_id,course_id,task_id,grade,on_time,graded_at,event_id\n"


def student(n: int) -> str:
    return str(uuid.UUID(int=n))


def csv_file(tmp_path: Path, broken_at: int | None = None, rows: int = 30) -> Path:
    """`rows` rows: task grades (with regrades), course grades (one pair identical), a few with
    their own event id; a broken row at line `broken_at` when asked."""
    lines = [HEADER]
    for n in range(rows):
        line = len(lines) + 1
        if line == broken_at:
            lines.append(f"task_grade,{student(1)},math,hw1,11,true,2026-01-01T10:00:00Z,\n")
        elif n % 5 == 0:
            lines.append(f"course_grade,{student(n % 4)},math,,7.5,,2026-01-01T10:00:00Z,\n")
        elif n % 7 == 0:
            lines.append(f"task_grade,{student(n % 4)},math,hw{n % 3},{n % 11},false,"
                         f"2026-01-0{n % 9 + 1}T10:00:00+02:00,{uuid.UUID(int=1000 + n)}\n")
        else:
            lines.append(f"task_grade,{student(n % 4)},math,hw{n % 3},{(n * 7) % 11},true,"
                         f"2026-01-0{n % 9 + 1}T10:00:00Z,\n")
    path = tmp_path / "grades.csv"
    path.write_text("".join(lines))
    return path


class FlakyQueue:
    """Records like the in-process queue, until its `fail_at`-th publish: then it is gone."""

    def __init__(self, record: RecordGradesHandler, fail_at: int | None = None) -> None:
        self._queue = InProcessEventQueue(record)
        self._fail_at = fail_at
        self.published = 0

    async def publish(self, events: Sequence[GradeEvent]) -> None:
        self.published += 1
        if self.published == self._fail_at:
            raise ConnectionError("the queue went away")
        await self._queue.publish(events)


def submitter(database: InMemoryDatabase, fail_at: int | None = None) -> SubmitGradesHandler:
    record = RecordGradesHandler(lambda: InMemoryUnitOfWork(database))
    return SubmitGradesHandler(FlakyQueue(record, fail_at))


def snapshot(database: InMemoryDatabase) -> tuple[object, ...]:
    return (
        sorted((g.student_id, g.grade) for g in database.course_grades.values()),
        sorted((g.slot, g.grade) for g in database.current_task_grades.values()),
        len(database.task_events),
    )


async def test_a_broken_row_in_the_middle_is_rejected_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    path = csv_file(tmp_path, broken_at=16)
    rejects = tmp_path / "rejects.jsonl"
    database = InMemoryDatabase()
    report = await import_file(path, submitter(database), ManualClock(), rejects_path=rejects,
                               batch_size=4)
    assert (report.rows, report.accepted, report.rejected) == (30, 29, 1)
    [reject] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert reject == {"file": str(path), "line": 16,
                      "errors": [{"field": "grade", "message": "must be from 0 to 10"}]}
    assert report.first_rejects == [f"{path}:16: grade: must be from 0 to 10"]
    # two identical course-grade rows are two grades
    assert len(database.course_grades) == 6


async def test_interrupted_then_rerun_counts_every_row_once(tmp_path: Path) -> None:
    path = csv_file(tmp_path, broken_at=9)
    rejects = tmp_path / "rejects.jsonl"
    whole = InMemoryDatabase()
    await import_file(path, submitter(whole), ManualClock(), rejects_path=rejects, batch_size=4)

    database = InMemoryDatabase()
    with pytest.raises(ConnectionError):
        await import_file(path, submitter(database, fail_at=3), ManualClock(),
                          rejects_path=rejects, batch_size=4)
    assert 0 < len(database.task_events) + len(database.course_grades) < 29
    report = await import_file(path, submitter(database), ManualClock(), rejects_path=rejects,
                               batch_size=4)
    assert (report.accepted, report.rejected) == (29, 1)
    assert snapshot(database) == snapshot(whole)
    # and again, with the broken row fixed: only that row is new
    path.write_text(path.read_text().replace(",11,true,", ",6,true,"))
    await import_file(path, submitter(database), ManualClock(), rejects_path=rejects,
                      batch_size=7)
    assert len(database.task_events) == len(whole.task_events) + 1
    assert len(database.course_grades) == len(whole.course_grades)


async def test_ids_do_not_depend_on_line_numbers(tmp_path: Path) -> None:
    path = csv_file(tmp_path)
    database = InMemoryDatabase()
    rejects = tmp_path / "rejects.jsonl"
    await import_file(path, submitter(database), ManualClock(), rejects_path=rejects)
    before = snapshot(database)
    header, *rows = path.read_text().splitlines(keepends=True)
    path.write_text(header + "".join(reversed(rows)))  # every row on another line
    await import_file(path, submitter(database), ManualClock(), rejects_path=rejects)
    assert snapshot(database) == before


async def test_jsonl_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "grades.jsonl"
    good = {"kind": "task_grade", "student_id": student(1), "course_id": "art", "task_id": "t",
            "grade": 9.25, "graded_at": "2026-01-02T00:00:00Z"}
    path.write_text("\n".join([
        json.dumps(good),
        "{not json",
        "",
        json.dumps({**good, "task_id": "u", "kind": "exam"}),
        json.dumps({**good, "task_id": "v"}),
    ]) + "\n")
    database = InMemoryDatabase()
    rejects = tmp_path / "r.jsonl"
    report = await import_file(path, submitter(database), ManualClock(), rejects_path=rejects)
    assert (report.rows, report.accepted, report.rejected) == (4, 2, 2)
    assert [json.loads(x)["line"] for x in rejects.read_text().splitlines()] == [2, 4]
    assert sorted(g.grade for g in database.current_task_grades.values()) == [Decimal("9.25")] * 2


async def test_a_csv_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("student_id,grade\n" + student(1) + ",5\n")
    with pytest.raises(UnreadableFile):
        await import_file(path, submitter(InMemoryDatabase()), ManualClock(),
                          rejects_path=tmp_path / "r.jsonl")


async def test_progress_shows_the_share_read_the_rows_and_the_rejects(tmp_path: Path) -> None:
    stream = io.StringIO()
    await import_file(csv_file(tmp_path, broken_at=3), submitter(InMemoryDatabase()),
                      ManualClock(), rejects_path=tmp_path / "r.jsonl", progress=stream)
    last = stream.getvalue().rstrip("\n").rsplit("\r", 1)[-1]
    assert last.startswith("100%") and "30 rows, 1 rejected" in last, last


def test_the_command_reports_rejects_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATS_STORAGE", "memory")
    path = csv_file(tmp_path, broken_at=5)
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path), "--batch-size", "8", "--no-progress"])
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert f"{path}: 30 rows read, 29 accepted in 4 batches, 1 rejected" in out
    assert f"{path}:5: grade: must be from 0 to 10" in err.splitlines()
    assert json.loads((tmp_path / "grades.csv.rejects.jsonl").read_text())["line"] == 5


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("missing.csv", None, "No such file or directory"),
        ("grades.txt", "kind,grade\n", "the format is not known by the suffix .txt"),
        ("grades.csv", "student_id,grade\n", "the CSV header lacks kind, course_id"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_before_any_server_starts(
    name: str, content: str | None, why: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    data_dir = tmp_path / "pgdata"
    monkeypatch.delenv("STATS_DATABASE_URL", raising=False)
    monkeypatch.setenv("STATS_DATA_DIR", str(data_dir))  # the embedded server would start here
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path)])
    assert str(exit_.value.code).startswith(f"cannot import {path}: ")
    assert why in str(exit_.value.code)
    assert not data_dir.exists()


async def test_an_interrupted_import_has_counted_what_was_accepted_before(
    tmp_path: Path,
) -> None:
    report = ImportReport()
    with pytest.raises(ConnectionError):
        await import_file(csv_file(tmp_path), submitter(InMemoryDatabase(), fail_at=3),
                          ManualClock(), rejects_path=tmp_path / "r.jsonl", batch_size=4,
                          report=report)
    assert (report.accepted, report.batches) == (8, 2)


def test_an_import_stopped_by_the_queue_says_what_was_accepted_and_that_a_rerun_is_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATS_STORAGE", "memory")
    monkeypatch.setenv("STATS_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing answers there
    path = csv_file(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path), "--no-progress"])
    first, before, rerun = str(exit_.value.code).splitlines()
    assert first.startswith(f"import of {path} stopped: ")
    assert before == "before that: 0 rows read, 0 accepted in 0 batches, 0 rejected"
    assert rerun.startswith("running the import again is safe")


async def test_a_rerun_queues_nothing_again_and_a_reused_event_id_is_rejected_by_line(
    tmp_path: Path,
) -> None:
    queue = InMemoryEventQueue()
    submit = SubmitGradesHandler(queue, InMemoryIdempotencyKeys())
    first = tmp_path / "first.jsonl"
    reused = "5b1d6a9e-3c1f-4a7e-9f0e-2d3c4b5a6f70"
    rows = [
        {"kind": "task_grade", "student_id": student(1), "course_id": "c1", "task_id": "t1",
         "grade": 7, "event_id": reused},
        {"kind": "task_grade", "student_id": student(1), "course_id": "c1", "task_id": "t2",
         "grade": 8},
    ]
    first.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    clock = ManualClock(datetime(2026, 2, 1, tzinfo=UTC))
    report = await import_file(first, submit, clock, rejects_path=tmp_path / "r1.jsonl")
    assert (report.accepted, report.repeated, report.rejected) == (2, 0, 0)
    again = await import_file(first, submit, clock, rejects_path=tmp_path / "r2.jsonl")
    assert (again.accepted, again.repeated, again.rejected) == (0, 2, 0)
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({**rows[0], "grade": 9}) + "\n" + json.dumps(
        {**rows[1], "task_id": "t3"}) + "\n")
    report = await import_file(changed, submit, clock, rejects_path=tmp_path / "r3.jsonl")
    assert (report.accepted, report.repeated, report.rejected) == (1, 0, 1)
    [rejected] = [json.loads(line) for line in (tmp_path / "r3.jsonl").read_text().splitlines()]
    assert rejected == {"file": str(changed), "line": 1, "errors": [
        {"field": "event_id", "message": f"{reused} already names another grade"}]}
    assert len(queue.pending) == 3
