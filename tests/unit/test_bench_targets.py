"""The benchmark's verdicts on issue 4's targets, and the table that shows them."""

from typing import Any

from bench.run import table, targets

SHAPE = {"courses": 2, "students": 228, "tasks_per_course": 20, "task_grades": 10_000,
         "course_grades": 1_000, "seed": 1}


def usage(api_rss: float = 80.0) -> dict[str, Any]:
    return {"cpu_percent": {"api": 95.0, "postgres": 40.0}, "max_rss_mb": {"api": api_rss},
            "machine_busy_percent": 80.0, "cores": 2}


def read(rps: float, p50: float, p99: float) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": 0, "usage": usage()}


def results(main_reads: dict[str, Any], small_reads: dict[str, Any]) -> dict[str, Any]:
    return {
        "command": "classconnect-stats bench", "started_at": "2026-11-29T00:00:00+00:00",
        "machine": {"cpu": "test", "cores": 2, "memory_gb": 1, "python": "3.11", "postgres": "15",
                    "redis": "7", "wrk": None},
        "settings": {"connections": 64, "duration_s": 5.0, "load_generator": "wrk"},
        "ceiling": {"rps": 10_000.0, "p50_ms": 5.0, "p99_ms": 10.0, "usage": usage()},
        "scales": [
            {"shape": SHAPE, "reads": small_reads},
            {"shape": {**SHAPE, "task_grades": 10_000_000}, "reads": main_reads},
        ],
    }


def test_reads_are_judged_on_rate_p99_share_of_the_ceiling_and_scale() -> None:
    run = results(
        {"fast": read(6_000, 5.0, 9.0), "near": read(1_600, 40.0, 90.0),
         "slow": read(1_400, 40.0, 120.0)},
        {"fast": read(6_000, 5.0, 9.0), "near": read(1_600, 30.0, 60.0),
         "slow": read(1_400, 20.0, 60.0)},
    )
    verdicts = targets(run)
    assert verdicts["fast"]["met"] and verdicts["fast"]["scale_met"]
    assert verdicts["near"]["misses"] == ["req/s", "p99"]
    assert verdicts["near"]["ceiling_share"] == 0.16 and verdicts["near"]["ceiling_share_met"]
    assert (verdicts["near"]["scale_ratio_p50"], verdicts["near"]["scale_ratio_p99"]) == (1.33, 1.5)
    assert verdicts["near"]["scale_met"]
    assert not verdicts["slow"]["ceiling_share_met"] and not verdicts["slow"]["scale_met"]
    assert verdicts["memory"]["met"]

    shown = table({**run, "targets": verdicts})
    rows = {line.split("|")[0].strip(): line for line in shown.splitlines() if "|" in line}
    assert rows["GET fast"].endswith("yes; 15% of ceiling yes; scale yes")
    assert rows["GET near"].endswith("NO (req/s, p99); 15% of ceiling yes; scale yes")
    assert rows["GET slow"].endswith("NO (req/s, p99); 15% of ceiling NO; scale NO")
    assert "| 16.0%" in rows["GET near"]
