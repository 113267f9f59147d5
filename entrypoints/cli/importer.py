"""`classconnect-stats import FILE.csv|FILE.jsonl`: backfill historical grades.

The file is streamed through the batch path (`SubmitGradesHandler`, events published to the configured
queue) in batches. A row that breaks a rule is written to the rejects file with its line number
and the import goes on. Re-running the import after an interruption (or after fixing rejected
rows) never counts a grade twice, because every row has a deterministic event id:

- the row's own `event_id` when it has one (the platform's id: the same grade exported in two files
  is one event);
- otherwise uuid5 of the row's canonical content (kind, ids, exact grade, on_time, graded_at in UTC)
  and of how many identical rows came before it in the file. Neither the line number nor a hash
  of the file is used: both change when a line is fixed, removed or added elsewhere, which would
  give every later row a new id and count it again. Two identical rows (two equal course-level
  grades are two grades) keep distinct ids through the occurrence index.

CSV files have the header kind,student_id,course_id,task_id,grade,on_time,graded_at,event_id
(task_id, on_time, graded_at and event_id may be missing or empty); JSONL files hold one event
object per line, as in the body of POST /stats/grades/batch.
"""

import argparse
import asyncio
import csv
import dataclasses
import hashlib
import json
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import IO, TextIO

import pydantic
from tqdm import tqdm

from application.commands import SubmitGrade
from application.handlers.submit_grades import SubmitGradesHandler, to_event
from application.ports import Clock
from application.ports.errors import Unavailable
from domain.errors import FieldError, ReusedEventId
from domain.events import CourseGraded, StudentErased, TaskGraded
from entrypoints.http.problems import field_errors
from entrypoints.http.schemas import GRADE_ITEM, MAX_BATCH_SIZE
from entrypoints.settings import Settings

CSV_COLUMNS = ("kind", "student_id", "course_id", "task_id", "grade", "on_time", "graded_at",
               "event_id")
REQUIRED_COLUMNS = ("kind", "student_id", "course_id", "grade")
# Never change: the ids of rows without an event_id derive from it.
ROW_NAMESPACE = uuid.UUID("0b6c2f8e-5a41-5d2e-9a57-3e1c8d4f7a90")
_NUMBER = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")
_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class UnreadableFile(Exception):
    """The file cannot be imported at all (unknown format, bad header)."""


FIRST_REJECTS_SHOWN = 20


@dataclasses.dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0  # sent by this run, and taken by the service
    repeated: int = 0  # sent before with the same grade (an earlier run): not queued again
    rejected: int = 0
    batches: int = 0
    # "FILE:LINE: field: reason" of the first FIRST_REJECTS_SHOWN rejected rows
    first_rejects: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    line: int
    fields: object | None  # a batch event's JSON values, or None when unreadable
    error: str | None = None  # why the row could not be read


def progress_bar(stream: TextIO, total_bytes: int) -> tqdm:
    """A progress bar over the file's bytes (its ETA), with the rows and rejects counted beside.
    Redrawn at most twice a second on a terminal; elsewhere (a CI log) a line every 10 s."""
    tty = stream.isatty()
    return tqdm(
        total=total_bytes, file=stream, unit="B", unit_scale=True, unit_divisor=1024,
        mininterval=0.5 if tty else 10.0, dynamic_ncols=tty, ascii=not tty,
    )


class _CountingLines:
    """The lines of a binary file as text, counting the bytes read (for the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._raw:
            self.bytes_read += len(line)
            yield line.decode("utf-8", errors="replace")


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise UnreadableFile(
        f"the format is not known by the suffix {suffix or '(none)'}: use --format csv|jsonl"
    )


def check_file(path: Path, declared: str | None) -> str:
    """The file's format, once the file is found readable, of a known format and (CSV) with a
    valid header; else UnreadableFile naming what is wrong. Cheap: reads the first row only."""
    file_format = detect_format(path, declared)
    try:
        with path.open("rb") as raw:
            if file_format == "csv":
                next(read_csv(iter(_CountingLines(raw))), None)
    except OSError as e:
        raise UnreadableFile(e.strerror or str(e)) from e
    return file_format


def read_csv(lines: Iterator[str]) -> Iterator[Row]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UnreadableFile(
            f"the CSV header lacks {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"
        )
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield Row(start, None, f"has {len(cells)} cells, the header {len(header)}")
            continue
        yield Row(start, _typed_cells(dict(zip(header, cells, strict=True))))


def _typed_cells(cells: dict[str, str]) -> dict[str, object]:
    """CSV text as the JSON values a batch event holds (a grade as its exact Decimal); text that
    is no number or flag stays text, so the check names the field."""
    typed: dict[str, object] = {}
    for name, text in cells.items():
        text = text.strip()
        if text == "":
            continue
        if name == "grade" and _NUMBER.fullmatch(text):
            typed[name] = Decimal(text)
        elif name == "on_time" and text.lower() in _FLAGS:
            typed[name] = _FLAGS[text.lower()]
        else:
            typed[name] = text
    return typed


def read_jsonl(lines: Iterator[str]) -> Iterator[Row]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield Row(number, json.loads(text, parse_float=Decimal))
        except ValueError:
            yield Row(number, None, "is not valid JSON")


def row_event_id(
    command: SubmitGrade, event: CourseGraded | TaskGraded, seen: dict[bytes, int]
) -> uuid.UUID:
    """The row's event id: its own, else derived from its content (`event`, the row as checked
    by the domain) and the number of identical rows before it (counted in `seen`)."""
    if command.event_id is not None:
        return command.event_id
    graded_at = command.graded_at.astimezone(UTC).isoformat() if command.graded_at else ""
    content = "\x1f".join(
        [
            "task_grade" if isinstance(event, TaskGraded) else "course_grade",
            str(event.student_id),
            event.course_id,
            event.task_id if isinstance(event, TaskGraded) else "",
            str(event.grade.normalize()),
            "1" if event.on_time else "0",
            graded_at,
        ]
    )
    digest = hashlib.blake2b(content.encode(), digest_size=16).digest()
    occurrence = seen.get(digest, 0)
    seen[digest] = occurrence + 1
    return uuid.uuid5(ROW_NAMESPACE, f"{content}\x1e{occurrence}")


async def import_file(
    path: Path,
    submit: SubmitGradesHandler,
    clock: Clock,
    *,
    rejects_path: Path,
    file_format: str | None = None,
    batch_size: int = 1000,
    progress: TextIO | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import every row of `path`; rejected rows go to `rejects_path` as JSON lines
    `{"file", "line", "errors": [{"field", "message"}]}`. Counts into `report` (a new one if
    None), so that the caller knows what was sent when this raises what the queue raises (an
    interruption): the import can then be run again."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be from 1 to {MAX_BATCH_SIZE}")
    reader = read_csv if check_file(path, file_format) == "csv" else read_jsonl
    report = report if report is not None else ImportReport()
    seen: dict[bytes, int] = {}
    with (
        path.open("rb") as raw,
        rejects_path.open("w", encoding="utf-8") as rejects,
        progress_bar(progress, path.stat().st_size) if progress else nullcontext() as meter,
    ):
        lines = _CountingLines(raw)
        batch: list[tuple[int, SubmitGrade]] = []

        def reject(line: int, errors: list[FieldError]) -> None:
            report.rejected += 1
            record = {"file": str(path), "line": line,
                      "errors": [dataclasses.asdict(e) for e in errors]}
            rejects.write(json.dumps(record) + "\n")
            if len(report.first_rejects) < FIRST_REJECTS_SHOWN:
                reasons = "; ".join(f"{e.field}: {e.message}" for e in errors)
                report.first_rejects.append(f"{path}:{line}: {reasons}")

        async def flush() -> None:
            while batch:
                try:
                    submitted = await submit([command for _, command in batch], clock.now())
                except ReusedEventId as reused:
                    # those rows are refused by name; the rest of the batch is sent again
                    message = ("is being queued by another request" if reused.in_flight
                               else "already names another grade")
                    named = set(reused.event_ids)
                    if not any(command.event_id in named for _, command in batch):
                        raise
                    for line, command in batch:
                        if command.event_id in named:
                            reject(line, [FieldError("event_id", f"{command.event_id} {message}")])
                    batch[:] = [(line, c) for line, c in batch if c.event_id not in named]
                    continue
                report.accepted += len(batch) - submitted.repeated
                report.repeated += submitted.repeated
                report.batches += 1
                batch.clear()
            if meter is not None:
                meter.update(lines.bytes_read - meter.n)
                meter.set_postfix_str(f"{report.rows:,} rows, {report.rejected:,} rejected",
                                      refresh=False)

        for row in reader(iter(lines)):
            report.rows += 1
            if row.error is not None:
                reject(row.line, [FieldError("row", row.error)])
                continue
            now = clock.now()
            try:
                command = GRADE_ITEM.validate_python(row.fields, context={"now": now}).to_command()
            except pydantic.ValidationError as invalid:
                reject(row.line, field_errors(invalid))
                continue
            event = to_event(command, now)
            assert not isinstance(event, StudentErased)
            event_id = row_event_id(command, event, seen)
            batch.append((row.line, dataclasses.replace(command, event_id=event_id)))
            if len(batch) >= batch_size:
                await flush()
        await flush()
        if meter is not None:
            meter.update(lines.bytes_read - meter.n)
            meter.set_postfix_str(f"{report.rows:,} rows, {report.rejected:,} rejected",
                                  refresh=False)
    return report


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "import",
        help="backfill grades from a CSV or JSONL file (safe to re-run)",
        description=(__doc__ or "").split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("file", type=Path)
    command.add_argument("--format", choices=["csv", "jsonl"], help="default: from the suffix")
    command.add_argument("--rejects", type=Path, help="default: FILE.rejects.jsonl")
    command.add_argument("--batch-size", type=int, default=1000, help="events per batch")
    command.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="a progress line on stderr (default: when stderr is a terminal)",
    )
    command.set_defaults(handler=_import)


def _import(settings: Settings, args: argparse.Namespace) -> None:
    from entrypoints.cli.service import with_storage
    from entrypoints.container import build_container, open_resources

    if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        sys.exit(f"--batch-size must be from 1 to {MAX_BATCH_SIZE}")
    try:  # before any server starts
        check_file(args.file, args.format)
    except UnreadableFile as e:
        sys.exit(f"cannot import {args.file}: {e}")
    settings = with_storage(settings)
    if settings.database.url and settings.database.auto_migrate:
        from adapters.postgres import migrate

        asyncio.run(migrate(settings.database.url))
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    rejects_path = args.rejects or args.file.with_name(args.file.name + ".rejects.jsonl")
    report = ImportReport()

    async def run() -> None:
        container = build_container(settings)
        async with open_resources(container):
            await import_file(
                args.file,
                container.use_cases.submit_grades(),
                container.adapters.clock(),
                rejects_path=rejects_path,
                file_format=args.format,
                batch_size=args.batch_size,
                progress=sys.stderr if show_progress else None,
                report=report,
            )

    try:
        asyncio.run(run())
    except (UnreadableFile, OSError, Unavailable) as e:
        sys.exit(f"import of {args.file} stopped: {e}\nbefore that: {summary(report)}"
                 "\nrunning the import again is safe: what was accepted is not counted twice")
    for line in report.first_rejects:
        print(line, file=sys.stderr)
    if report.rejected > len(report.first_rejects):
        print(f"... and {report.rejected - len(report.first_rejects)} more rejected rows",
              file=sys.stderr)
    print(f"{args.file}: {summary(report)}"
          + (f"; every rejected row is in {rejects_path}" if report.rejected else ""))
    if report.rejected:
        sys.exit(1)


def summary(report: ImportReport) -> str:
    repeated = f", {report.repeated} sent before (not sent again)" if report.repeated else ""
    batches = "1 batch" if report.batches == 1 else f"{report.batches} batches"
    return (f"{report.rows} rows read, {report.accepted} accepted in {batches}{repeated},"
            f" {report.rejected} rejected")
