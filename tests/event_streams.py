"""Hypothesis strategies for grade events as the queue hands them to the store: regrades, late
grades and erasures, in any order, some delivered again, cut into batches of any size."""

import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal

from hypothesis import strategies as st

from domain.events import CourseGraded, GradeEvent, StudentErased, TaskGraded

Kind = Literal["course", "task", "erase"]

OFFSETS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
# Hours from grading to acceptance: most grades arrive at once, some a day or more late.
ACCEPTANCE_LAGS = [0, 0, 1, 30]

cents = st.integers(0, 1000).map(lambda n: Decimal(n) / 100)


def moments(epoch: datetime, hours: st.SearchStrategy[int]) -> st.SearchStrategy[datetime]:
    """Instants `hours` after `epoch`, written in any of OFFSETS."""
    return st.builds(
        lambda h, offset: (epoch + timedelta(hours=h)).astimezone(offset),
        hours,
        st.sampled_from(OFFSETS),
    )


@st.composite
def grade_events(
    draw: st.DrawFn,
    *,
    students: Sequence[uuid.UUID],
    courses: Sequence[str],
    tasks: Sequence[str],
    grades: st.SearchStrategy[Decimal],
    graded_at: st.SearchStrategy[datetime],
    kinds: Sequence[Kind],
) -> GradeEvent:
    """One event of a kind drawn from `kinds` (repeat a kind to make it likelier); an erasure
    happens at the moment a grade would have been accepted."""
    student, course = draw(st.sampled_from(students)), draw(st.sampled_from(courses))
    grade, on_time, graded = draw(grades), draw(st.booleans()), draw(graded_at)
    accepted = graded + timedelta(hours=draw(st.sampled_from(ACCEPTANCE_LAGS)))
    kind = draw(st.sampled_from(kinds))
    if kind == "erase":
        return StudentErased(draw(st.uuids()), student, accepted)
    if kind == "course":
        return CourseGraded(draw(st.uuids()), student, course, grade, on_time, graded, accepted)
    task = draw(st.sampled_from(tasks))
    return TaskGraded(draw(st.uuids()), student, course, task, grade, on_time, graded, accepted)


@st.composite
def deliveries(
    draw: st.DrawFn,
    events: st.SearchStrategy[list[GradeEvent]],
    max_redelivered: int = 6,
    max_cuts: int = 4,
) -> list[list[GradeEvent]]:
    """The events with some delivered again, shuffled, split into batches (some maybe empty)."""
    stream = draw(events)
    again = draw(st.lists(st.sampled_from(stream), max_size=max_redelivered))
    stream = draw(st.permutations(stream + again))
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=max_cuts)))
    return [stream[start:end] for start, end in itertools.pairwise([0, *cuts, len(stream)])]
