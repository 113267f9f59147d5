"""The students of a course with their standing, sorted and paged by an opaque keyset cursor.

Ranks and percentiles are computed over every student of the course, then the page is cut: a
student's rank does not depend on the page they are shown on. The order is total (the student id
breaks ties, ascending in both orders; students with no value for the sort key come last in both
orders), so a cursor - the last student's sort key and id - resumes exactly after them even when
grades arrive between two pages.

Sort keys are whole numbers (averages and percentages in cents, counts), so the order is a sort of
plain tuples; only the students of the page become views.
"""

from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from application.figures import TREND_RUN, standing, task_averages
from application.ports import AnalyticsReader, StudentInCourse
from application.queries import ListCourseStudents, SortOrder, StudentsCursor, StudentSort
from application.views import CourseStudentsView
from domain.statistics import from_cents, percentage_cents

Key = int | Fraction
# (no key?, signed key, signed id, index) for a sort by a measure; (signed id, index) by id.
Position = tuple[bool, Key, int, int] | tuple[int, int]


class ListCourseStudentsHandler:
    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: ListCourseStudents) -> CourseStudentsView:
        students = await self._reader.students(query.course_id)
        averages = task_averages(students)
        keys = _keys(query.sort, students, averages)
        descending = query.order is SortOrder.DESC
        if query.sort is StudentSort.STUDENT_ID:
            positions: list[Position] = sorted(
                (-s.student_id.int if descending else s.student_id.int, i)
                for i, s in enumerate(students)
            )
        else:
            positions = sorted(
                (True, 0, s.student_id.int, i)
                if key is None
                else (False, -key if descending else key, s.student_id.int, i)
                for i, (s, key) in enumerate(zip(students, keys, strict=True))
            )
        start = 0
        if query.after is not None:
            start = bisect_right(positions, _resume_after(query, len(students)))
        page = [position[-1] for position in positions[start : start + query.limit]]
        more = len(positions) - start > query.limit
        ranked = sorted(a for a in averages if a is not None)
        recent = await self._reader.recent_task_grades(
            query.course_id, [students[i].student_id for i in page], TREND_RUN
        ) if page else {}
        return CourseStudentsView(
            course_id=query.course_id,
            items=[
                standing(students[i], averages[i], ranked, recent.get(students[i].student_id, []))
                for i in page
            ],
            next_cursor=_cursor(query, students[page[-1]], keys[page[-1]]) if more and page
            else None,
        )


def _keys(
    sort: StudentSort, students: Sequence[StudentInCourse], averages: list[int | None]
) -> list[int | None]:
    """Each student's sort key: cents for an average or a percentage, the count for assignments."""
    if sort is StudentSort.AVERAGE:
        return averages
    if sort is StudentSort.ON_TIME_PERCENTAGE:
        return [
            percentage_cents(s.task_on_time, s.task_count) if s.task_count else None
            for s in students
        ]
    if sort is StudentSort.ASSIGNMENTS_COMPLETED:
        return [s.task_count for s in students]
    return [None] * len(students)


def _scale(sort: StudentSort) -> int:
    """How many key units make one unit of the figure a cursor carries."""
    return 1 if sort is StudentSort.ASSIGNMENTS_COMPLETED else 100


def _resume_after(query: ListCourseStudents, past_every_index: int) -> Position:
    """The position just after the cursor's student (an index past every student's ranks after
    any student with the same key and id): a cursor's key may be any decimal, compared exactly."""
    after = query.after
    assert after is not None
    signed_id = after.student_id.int
    if query.sort is StudentSort.STUDENT_ID:
        return (-signed_id if query.order is SortOrder.DESC else signed_id, past_every_index)
    if after.key is None:
        return (True, 0, signed_id, past_every_index)
    key = Fraction(Decimal(after.key)) * _scale(query.sort)
    return (False, -key if query.order is SortOrder.DESC else key, signed_id, past_every_index)


def _cursor(query: ListCourseStudents, last: StudentInCourse, key: int | None) -> str:
    shown: str | None = None
    if key is not None:
        shown = str(key) if _scale(query.sort) == 1 else str(from_cents(key))
    return StudentsCursor(
        sort=query.sort, order=query.order, key=shown, student_id=last.student_id
    ).encode()
