"""The course's current task grades as a student x task table, streamed row by row."""

import csv
import io
from collections.abc import AsyncIterator

from application.ports import AnalyticsReader
from application.queries import ExportCourseGrades


class ExportCourseGradesHandler:
    def __init__(self, reader: AnalyticsReader, page_size: int = 1000) -> None:
        self._reader = reader
        self._page_size = page_size

    async def __call__(self, query: ExportCourseGrades) -> AsyncIterator[list[str]]:
        """The header `student_id, <task ids, sorted>`, then one row per student with a current
        task grade, by student id: each grade exactly as recorded, empty where there is none.

        The task columns are read first; a grade for a task first graded while the table streams
        is left out rather than breaking the table's shape.
        """
        task_ids = await self._reader.task_ids(query.course_id)
        column = {task_id: index for index, task_id in enumerate(task_ids, start=1)}
        yield ["student_id", *task_ids]
        row: list[str] | None = None
        async for page in self._reader.grades_by_student(query.course_id, self._page_size):
            for grade in page:
                if row is None or row[0] != str(grade.student_id):
                    if row is not None:
                        yield row
                    row = [str(grade.student_id)] + [""] * len(task_ids)
                if grade.task_id in column:
                    row[column[grade.task_id]] = format(grade.grade, "f")
        if row is not None:
            yield row


async def csv_lines(rows: AsyncIterator[list[str]]) -> AsyncIterator[str]:
    """Rows as CSV text lines (RFC 4180, CRLF line ends), for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    async for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()

