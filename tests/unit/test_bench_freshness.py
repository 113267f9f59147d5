"""How the freshness probe tells that a read shows its grade (bench.freshness)."""

from typing import Any

from bench.freshness import PROBE_READS, Probe, probe_courses, probe_student_id, summarize
from bench.http_load import ANALYTICS_ENDPOINTS, READ_ENDPOINTS

PROBE = Probe("00000000-0000-4000-8000-ffffffffff00", "course-00001", "task-03")
READS = {read.name: read for read in PROBE_READS}
OTHER = "9b2d7c1e-0a4f-4e8b-9d6a-5c3e1f2a7b80"


def shows(name: str, body: dict[str, Any] | None, before: dict[str, Any] | None = None) -> bool:
    read = READS[name]
    baseline = read.baseline(PROBE, before) if read.baseline else None
    return read.shows(PROBE, body, baseline)


def test_every_read_the_benchmark_loads_is_probed() -> None:
    assert set(READS) == {e.name for e in (*READ_ENDPOINTS, *ANALYTICS_ENDPOINTS)}
    assert READS["task averages"].path(PROBE) == "/stats/course/course-00001/task/task-03/averages"


def test_the_student_s_own_reads_show_the_probe_once_its_grades_are_in() -> None:
    assert not shows("student course summary", None)
    assert not shows("student course summary", {"assignments_completed": 1, "average_grade": None})
    assert shows("student course summary", {"assignments_completed": 1, "average_grade": 0.0})
    assert not shows("student average", {"grade_count": 0})
    assert shows("student average", {"grade_count": 1})
    assert not shows("student task comparison", {"student_average": None})
    assert shows("student task comparison", {"student_average": 0.0})
    assert not shows("student on-time", {"data": []})
    assert shows("student on-time", {"data": [{"period": "all_time", "total_count": 1}]})
    assert not shows("student's courses", {"courses": [{"course_id": "course-00002",
                                                         "assignments_completed": 1}]})
    assert shows("student's courses", {"courses": [{"course_id": "course-00001",
                                                     "assignments_completed": 1}]})


def test_a_course_s_figures_show_it_when_one_higher_than_before_the_probe() -> None:
    before = {"student_count": 228}
    assert not shows("course distribution", {"student_count": 228}, before)
    assert shows("course distribution", {"student_count": 229}, before)
    week = {"data": [{"total_count": 40}, {"total_count": 2}]}
    assert not shows("course on-time", week, week)
    assert shows("course on-time", {"data": [{"total_count": 40}, {"total_count": 3}]}, week)
    tasks = {"tasks": [{"task_id": "task-03", "graded_count": 5}, {"task_id": "task-04",
                                                                   "graded_count": 9}]}
    assert not shows("course task spreads", {"tasks": [{"task_id": "task-04", "graded_count": 10},
                                                       {"task_id": "task-03", "graded_count": 5}]},
                     tasks)
    assert shows("course task spreads", {"tasks": [{"task_id": "task-03", "graded_count": 6}]},
                 tasks)
    assert shows("course task spreads", {"tasks": [{"task_id": "task-03", "graded_count": 1}]},
                 {"tasks": []})
    assert shows("course average", {"total_students": 3}, {"total_students": 2})


def test_a_course_s_lists_show_the_probe_when_its_student_is_in_them() -> None:
    assert not shows("task averages", {"students": [{"student_id": OTHER}]})
    assert shows("task averages", {"students": [{"student_id": OTHER}, {"student_id": PROBE.student}]})
    assert shows("course standings (50)", {"items": [{"student_id": PROBE.student}]})
    assert not shows("course at-risk", {"students": []})
    assert shows("course at-risk", {"students": [{"student_id": PROBE.student}]})


def test_a_later_probe_s_student_sorts_before_every_earlier_one_and_the_dataset_s() -> None:
    ids = [probe_student_id(1_765_000_000_000 + ms, seq) for ms in range(3) for seq in range(3)]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)
    dataset_student = "0000a1b2-8c3d-4e5f-9a6b-7c8d9e0f1a2b"
    assert max(ids) < dataset_student


def test_probe_courses_are_every_tenth_and_the_steady_writes_go_to_the_rest() -> None:
    courses = [f"c{i}" for i in range(25)]
    probes, rest = probe_courses(courses)
    assert probes == ["c0", "c10", "c20"]
    assert set(rest) == set(courses) - set(probes)
    assert probe_courses(["only"]) == (["only"], ["only"])


def test_freshness_figures_are_summed_up_in_milliseconds() -> None:
    assert summarize([0.2, 0.1, 0.3]) == {"count": 3, "p50_ms": 200.0, "p99_ms": 300.0,
                                          "max_ms": 300.0}
    assert summarize([])["count"] == 0
