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
from decimal import Decimal
from fractions import Fraction

from application.figures import TREND_RUN, standing
from application.ports import AnalyticsReader
from application.ports.analytics_reader import CourseStandings
from application.queries import ListCourseStudents, SortOrder, StudentsCursor, StudentSort
from application.views import CourseStudentsView
from domain.statistics import from_cents, percentage_cents
from domain.values import StudentId

Key = int | Fraction
# (no key?, signed key, signed id, index) for a sort by a measure; (signed id, index) by id.
Position = tuple[bool, Key, int, int] | tuple[int, int]


class ListCourseStudentsHandler:
    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: ListCourseStudents) -> CourseStudentsView:
        course = await self._reader.course_standings(query.course_id)
        ids = course.student_ids
        keys = _keys(query.sort, course)
        descending = query.order is SortOrder.DESC
        if query.sort is StudentSort.STUDENT_ID:
            positions: list[Position] = sorted(
                (-s.int if descending else s.int, i) for i, s in enumerate(ids)
            )
        else:
            positions = sorted(
                (True, 0, s.int, i)
                if key is None
                else (False, -key if descending else key, s.int, i)
                for i, (s, key) in enumerate(zip(ids, keys, strict=True))
            )
        start = 0
        if query.after is not None:
            start = bisect_right(positions, _resume_after(query, len(ids)))
        page = [position[-1] for position in positions[start : start + query.limit]]
        more = len(positions) - start > query.limit
        ranked = sorted(a for a in course.task_average_cents if a is not None)
        recent = await self._reader.recent_task_grades(
            query.course_id, [ids[i] for i in page], TREND_RUN
        ) if page else {}
        return CourseStudentsView(
            course_id=query.course_id,
            items=[standing(course, i, ranked, recent.get(ids[i], [])) for i in page],
            next_cursor=_cursor(query, ids[page[-1]], keys[page[-1]]) if more and page
            else None,
        )


def _keys(sort: StudentSort, course: CourseStandings) -> list[int | None]:
    """Each student's sort key: cents for an average or a percentage, the count for assignments."""
    if sort is StudentSort.AVERAGE:
        return course.task_average_cents
    if sort is StudentSort.ON_TIME_PERCENTAGE:
        return [
            percentage_cents(on_time, count) if count else None
            for on_time, count in zip(course.task_on_times, course.task_counts, strict=True)
        ]
    if sort is StudentSort.ASSIGNMENTS_COMPLETED:
        return list(course.task_counts)
    return [None] * len(course.student_ids)


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


def _cursor(query: ListCourseStudents, last: StudentId, key: int | None) -> str:
    shown: str | None = None
    if key is not None:
        shown = str(key) if _scale(query.sort) == 1 else str(from_cents(key))
    return StudentsCursor(
        sort=query.sort, order=query.order, key=shown, student_id=last
    ).encode()
