"""The benchmark's dataset generator: deterministic, the sizes it is asked for, realistic enough
(regrades, late arrivals, lateness) to exercise what the statistics must get right."""

import itertools
from collections import Counter

from bench.dataset import Dataset, DatasetShape, scaled_shape, with_size
from domain.events import CourseGraded, TaskGraded

SHAPE = scaled_shape(12_000, seed=7)


def test_the_same_seed_gives_the_same_events_and_another_seed_others() -> None:
    first = list(Dataset(SHAPE).events())
    assert first == list(Dataset(SHAPE).events())
    other = list(Dataset(DatasetShape(**{**_fields(SHAPE), "seed": 8})).events())
    assert [e.event_id for e in other] != [e.event_id for e in first]


def test_the_sizes_asked_for_are_the_sizes_generated() -> None:
    shape = DatasetShape(courses=3, students=50, tasks_per_course=4, task_grades=1_001,
                         course_grades=97)
    events = list(Dataset(shape).events())
    kinds = Counter(type(e) for e in events)
    assert kinds[TaskGraded] == 1_001
    assert kinds[CourseGraded] == 97
    assert len({e.event_id for e in events}) == len(events)
    assert {e.course_id for e in events} == {f"course-{i:05d}" for i in (1, 2, 3)}
    assert len({e.student_id for e in events}) <= 50
    assert {e.task_id for e in events if isinstance(e, TaskGraded)} == {
        "task-01", "task-02", "task-03", "task-04"
    }


def test_regrades_are_later_and_some_older_grades_arrive_after_them() -> None:
    events = [e for e in Dataset(SHAPE).events() if isinstance(e, TaskGraded)]
    by_slot: dict[object, list[TaskGraded]] = {}
    for e in events:
        by_slot.setdefault(e.slot, []).append(e)
    regraded = [grades for grades in by_slot.values() if len(grades) > 1]
    assert 0.05 < len(regraded) / len(by_slot) < 0.15
    out_of_order = [
        grades for grades in regraded
        if any(later.graded_at < earlier.graded_at
               for earlier, later in itertools.pairwise(grades))
    ]
    assert out_of_order, "no older grade arrives after its regrade"
    for grades in out_of_order:  # the first grade arrived late: accepted after a regrade
        first = min(grades, key=lambda e: e.graded_at)
        assert any(first.accepted_at > e.accepted_at for e in grades if e is not first)


def test_grades_times_and_on_time_look_like_a_school() -> None:
    events = list(Dataset(SHAPE).events())
    assert all(0 <= e.grade <= 10 and (e.grade * 10) % 1 == 0 for e in events)
    assert all(e.graded_at.tzinfo is not None and e.accepted_at >= e.graded_at for e in events)
    on_time = sum(e.on_time for e in events) / len(events)
    assert 0.75 < on_time < 0.97
    assert len({e.grade for e in events}) > 50


def test_smaller_sizes_keep_the_shape_of_a_course() -> None:
    large = scaled_shape(10_000_000)
    small = with_size(large, 100_000)
    assert (small.courses, small.students, small.course_grades) == (20, 1_000, 10_000)
    assert small.students_per_course == large.students_per_course
    tiny = with_size(large, 10_000)
    assert tiny.students_per_course == large.students_per_course


def test_read_targets_are_students_with_grades_in_the_course() -> None:
    dataset = Dataset(SHAPE)
    graded = {(e.student_id, e.course_id) for e in dataset.events()}
    pairs = list(dataset.enrolments(per_course=5))
    assert len(pairs) == 5 * SHAPE.courses
    assert set(pairs) <= graded


def _fields(shape: DatasetShape) -> dict[str, int]:
    return {name: getattr(shape, name) for name in DatasetShape.__slots__}  # type: ignore[attr-defined]
