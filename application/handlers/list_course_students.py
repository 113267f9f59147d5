"""The students of a course with their standing, sorted and paged by an opaque keyset cursor.

Ranks and percentiles are computed over every student of the course, then the page is cut: a
student's rank does not depend on the page they are shown on. The order is total (the student id
breaks ties, ascending in both orders; students with no value for the sort key come last in both
orders), so a cursor - the last student's sort key and id - resumes exactly after them even when
grades arrive between two pages.
"""

from decimal import Decimal

from application.analytics_queries import (
    CourseStudentsView,
    GetCourseStudents,
    SortOrder,
    StudentsCursor,
    StudentSort,
    StudentStanding,
)
from application.handlers.standings import Standing, standings
from application.ports import AnalyticsReader
from domain.statistics import as_number
from domain.values import StudentId

Position = tuple[object, ...]


class ListCourseStudentsHandler:
    def __init__(self, reader: AnalyticsReader) -> None:
        self._reader = reader

    async def __call__(self, query: GetCourseStudents) -> CourseStudentsView:
        everyone = standings(await self._reader.students(query.course_id))
        keyed = sorted(
            ((_position(query.sort, query.order, _key(query.sort, s), s.student.student_id), s)
             for s in everyone),
            key=lambda pair: pair[0],
        )
        if query.after is not None:
            after = query.after
            start = _position(
                query.sort,
                query.order,
                None if after.key is None else Decimal(after.key),
                after.student_id,
            )
            keyed = [(position, s) for position, s in keyed if position > start]
        page = [s for _, s in keyed[: query.limit]]
        more = len(keyed) > query.limit
        return CourseStudentsView(
            course_id=query.course_id,
            items=[_item(s) for s in page],
            next_cursor=_cursor(query, page[-1]) if more and page else None,
        )


def _key(sort: StudentSort, standing: Standing) -> Decimal | None:
    if sort is StudentSort.AVERAGE:
        return standing.average
    if sort is StudentSort.ON_TIME_PERCENTAGE:
        return standing.on_time_percentage
    if sort is StudentSort.ASSIGNMENTS_COMPLETED:
        return Decimal(standing.student.task_grades.count)
    return None


def _position(
    sort: StudentSort, order: SortOrder, key: Decimal | None, student_id: StudentId
) -> Position:
    ascending = order is SortOrder.ASC
    if sort is StudentSort.STUDENT_ID:
        return (student_id.int if ascending else -student_id.int,)
    if key is None:
        return (True, Decimal(0), student_id.int)
    return (False, key if ascending else -key, student_id.int)


def _cursor(query: GetCourseStudents, last: Standing) -> str:
    key = _key(query.sort, last)
    return StudentsCursor(
        sort=query.sort,
        order=query.order,
        key=None if key is None else str(key),
        student_id=last.student.student_id,
    ).encode()


def _item(standing: Standing) -> StudentStanding:
    student = standing.student
    return StudentStanding(
        student_id=student.student_id,
        average_grade=as_number(standing.average),
        course_grade_average=as_number(student.course_grades.average),
        assignments_completed=student.task_grades.count,
        on_time_percentage=as_number(standing.on_time_percentage),
        rank=standing.rank,
        percentile=as_number(standing.percentile),
    )
