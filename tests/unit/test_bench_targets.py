"""The benchmark's verdicts on its targets, and the table that shows them (bench.report)."""

from typing import Any

from bench.report import table, targets

SHAPE = {"courses": 2, "students": 228, "tasks_per_course": 20, "task_grades": 10_000,
         "course_grades": 1_000, "seed": 1}


def usage() -> dict[str, Any]:
    return {"cpu_percent": {"api": 95.0, "postgres": 40.0}, "max_rss_mb": {"api-0": 80.0},
            "machine_busy_percent": 80.0, "cores": 2}


def read(rps: float, p99: float, p99_at_16: float) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": p99 / 2, "p99_ms": p99, "errors": 0, "usage": usage(),
            "low": {"p99_ms": p99_at_16, "errors": 0}}


def fresh(p99_ms: float, never: int = 0) -> dict[str, Any]:
    return {"count": 100, "p50_ms": p99_ms / 2, "p99_ms": p99_ms, "max_ms": p99_ms,
            "never_visible": never}


def pair(rps_ratio: float, p99_ratio: float) -> dict[str, Any]:
    return {"rps_ratio": rps_ratio, "p99_ratio": p99_ratio}


def results(**memory: float) -> dict[str, Any]:
    writes = {
        "api_processes": 2, "target_rate": 200.0, "accepted_rate": 199.0, "accepted": 50_000,
        "failed": 0, "post_p50_ms": 2.0, "post_p99_ms": 9.0, "probes": 200, "failed_probes": 0,
        "never_visible": 1, "freshness": fresh(300.0),
        "freshness_by_read": {"fast": fresh(200.0), "stale": fresh(1_500.0),
                              "never": fresh(100.0, never=1)},
        "freshness_by_process": {"api-0": fresh(300.0), "api-1": fresh(250.0)},
    }
    ceiling = {**read(10_000.0, 8.0, 2.0), "p50_ms": 3.0}
    return {
        "command": "python -m bench", "started_at": "2026-12-07T00:00:00+00:00",
        "machine": {"cpu": "test", "cores": 2, "memory_gb": 1, "python": "3.11", "postgres": "15",
                    "redis": "7", "wrk": None},
        "settings": {"api_processes": 2, "workers": 2, "connections": 64, "duration_s": 10.0,
                     "p99_connections": 16, "p99_duration_s": 5.0, "write_rate": 200.0,
                     "ab_rounds": 3, "ab_duration_s": 3.0, "load_generator": "wrk"},
        "scales": [{"shape": SHAPE}, {"shape": {**SHAPE, "task_grades": 10_000_000}}],
        "mixed": {
            "ceiling_before": ceiling, "ceiling_after": ceiling, "ceiling_rps": 10_000.0,
            "writes": writes,
            "reads": {"fast": read(3_500.0, 9.0, 4.0), "narrow": read(2_900.0, 30.0, 6.0),
                      "stale": read(5_000.0, 9.0, 3.0), "never": read(5_000.0, 9.0, 3.0),
                      "far": read(5_000.0, 9.0, 3.0)},
        },
        "ab": {"small": 10_000, "large": 10_000_000,
               "reads": {"fast": pair(0.9, 1.1), "far": pair(0.7, 1.1),
                         "narrow": pair(1.0, 1.3)}},
        "memory": {"api-0": 120.0, "api-1": 130.0, "api-small-0": 90.0, "worker-0": 300.0,
                   **memory},
    }


def test_each_read_is_judged_on_its_share_of_the_ceiling_p99_freshness_and_scale() -> None:
    run = results()
    verdicts = targets(run)
    assert verdicts["fast"] == {"met": True, "misses": [], "ceiling_share": 0.35}
    assert verdicts["narrow"]["misses"] == ["share", "p99", "scale"]
    assert verdicts["stale"]["misses"] == ["freshness"]
    assert verdicts["never"]["misses"] == ["freshness"]
    assert verdicts["far"]["misses"] == ["scale"]  # 10M makes 0.7 of 10k's req/s: 1.43x slower
    assert verdicts["writes"]["met"]
    assert not verdicts["freshness"]["met"]  # one read never showed a probe
    assert verdicts["memory"]["met"]  # API processes only; the small dataset's do not count

    shown = table({**run, "targets": verdicts})
    rows = {line.split("|")[0].strip(): line for line in shown.splitlines() if "|" in line}
    assert rows["GET fast"].endswith("| yes")
    assert "| 35.0%" in rows["GET fast"] and "| 0.90, 1.10" in rows["GET fast"]
    assert rows["GET narrow"].endswith("NO (share, p99, scale)")
    assert rows["GET never"].split("|")[7].strip() == "100 (1 never)"
    assert rows["freshness: every read it changes, on every API process"].endswith("NO")
    assert "api-1 130" in rows["memory: max RSS, MB"]


def test_an_api_process_over_its_memory_budget_misses_the_target() -> None:
    assert not targets(results(**{"api-1": 201.0}))["memory"]["met"]
