"""The verdicts on the targets, and the table that shows them (from the results of bench.run)."""

from typing import Any

from bench.dataset import DatasetShape

# The targets. The reads are judged on the mixed run (every read while grades arrive).
CEILING_SHARE_TARGET = 0.30  # of the ceiling's req/s, at --connections
READ_P99_TARGET_MS = 5.0  # at --p99-connections
FRESHNESS_P99_TARGET_MS = 1_000.0
SCALE_RATIO_TARGET = 1.25  # large/small p99, and small/large req/s, each at most this
API_RSS_TARGET_MB = 200.0  # each API process
INGEST_RATE_TARGET = 5_000  # single POSTs, end to end
BULK_RATE_TARGET = 100_000
WRITES_KEPT_UP = 0.95  # of the set write rate, accepted


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target: met or not, with what missed."""
    verdicts: dict[str, Any] = {}
    mixed = results.get("mixed")
    ab = results.get("ab", {}).get("reads", {})
    if mixed:
        ceiling = mixed["ceiling_rps"]
        fresh = mixed["writes"]["freshness_by_read"]
        for name, read in mixed["reads"].items():
            misses = []
            share = read["rps"] / ceiling if ceiling else 0.0
            if share < CEILING_SHARE_TARGET:
                misses.append("share")
            if read["low"]["p99_ms"] > READ_P99_TARGET_MS:
                misses.append("p99")
            if name in fresh and (
                fresh[name]["p99_ms"] > FRESHNESS_P99_TARGET_MS or fresh[name]["never_visible"]
                or not fresh[name]["count"]
            ):
                misses.append("freshness")
            if name in ab and not scale_met(ab[name]):
                misses.append("scale")
            if read["errors"] or read["low"]["errors"]:
                misses.append("errors")
            verdicts[name] = {"met": not misses, "misses": misses, "ceiling_share": round(share, 3)}
        writes = mixed["writes"]
        verdicts["writes"] = {
            "met": writes["accepted_rate"] >= WRITES_KEPT_UP * writes["target_rate"]
            and not writes["failed"],
        }
        verdicts["freshness"] = {
            "met": bool(writes["probes"]) and not writes["never_visible"]
            and writes["freshness"]["p99_ms"] <= FRESHNESS_P99_TARGET_MS,
        }
    for name, pair in ab.items():
        if name not in verdicts:
            verdicts[name] = {"met": scale_met(pair), "misses": [] if scale_met(pair) else ["scale"]}
    if "ingest" in results:
        ingest = results["ingest"]
        misses = []
        if ingest["end_to_end_rate"] < INGEST_RATE_TARGET:
            misses.append("grades/s")
        if ingest["freshness_p99_ms"] > FRESHNESS_P99_TARGET_MS or ingest["probes_never_visible"]:
            misses.append("freshness")
        if ingest["lost"] or ingest["failed_posts"] or not ingest["drained"]:
            misses.append("lost")
        verdicts["ingest"] = {"met": not misses, "misses": misses}
    main = results["scales"][-1]
    if "load" in main:
        verdicts["bulk load"] = {"met": main["load"]["rate"] >= BULK_RATE_TARGET}
    api = {k: v for k, v in results.get("memory", {}).items() if _main_api(k)}
    if api:
        verdicts["memory"] = {"met": max(api.values()) <= API_RSS_TARGET_MB}
    return verdicts


def scale_met(pair: dict[str, Any]) -> bool:
    """The large dataset's reads within SCALE_RATIO_TARGET of the small one's: req/s and p99."""
    rps, p99 = pair["rps_ratio"], pair["p99_ratio"]
    return (rps is not None and p99 is not None and rps >= 1 / SCALE_RATIO_TARGET
            and p99 <= SCALE_RATIO_TARGET)


def _main_api(label: str) -> bool:
    return label.startswith("api-") and not label.startswith("api-small")


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


def _verdict(verdict: dict[str, Any] | None) -> str:
    if verdict is None:
        return ""
    misses = verdict.get("misses")
    return _yes(verdict["met"]) + (f" ({', '.join(misses)})" if misses else "")


def _cpu(usage: dict[str, Any], roles: tuple[str, ...]) -> str:
    cpu = usage["cpu_percent"]
    other = usage["machine_busy_percent"] * usage["cores"] - sum(cpu.values())
    shown = [f"{role} {cpu[role]:.0f}" for role in roles if role in cpu]
    return " ".join([*shown, f"other {max(0.0, other):.0f}"])


def _short(n: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return f"{n:,}"


def _grid(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(len(head))]
    return [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in [head, ["-" * w for w in widths], *rows]]


def _kept(cache: dict[str, int] | None) -> str:
    """The share of the read's requests answered from the answer cache (kept or stale)."""
    if not cache or cache["bypass"]:
        return "" if not cache else f"{cache['bypass']:,} bypassed"
    return f"{cache['kept_percent']}% of {cache['hit'] + cache['stale'] + cache['miss']:,}"


def table(results: dict[str, Any]) -> str:
    verdicts = results["targets"]
    settings = results["settings"]
    machine = results["machine"]
    main = results["scales"][-1]
    ab = results.get("ab")
    ab_reads = ab["reads"] if ab else {}
    ratio_head = f"{_short(ab['large'])}/{_short(ab['small'])} req/s, p99" if ab else "scale"
    conns, low = settings["connections"], settings["p99_connections"]
    roles = ("api", "worker", "postgres", "redis", "writes", "load")
    head = ["read", f"req/s @{conns}", "of ceiling", f"p50 ms @{conns}", f"p99 ms @{conns}",
            f"p99 ms @{low}", ratio_head, "fresh p99 ms", "kept", "CPU % of a core", "target met"]
    rows: list[list[str]] = []
    mixed = results.get("mixed")
    if mixed:
        fresh = mixed["writes"]["freshness_by_read"]
        for key in ("ceiling_before", "ceiling_after"):
            c = mixed[key]
            rows.append([
                f"ceiling, {key.removeprefix('ceiling_')}", f"{c['rps']:,.0f}", "", f"{c['p50_ms']:.2f}",
                f"{c['p99_ms']:.2f}", f"{c['low']['p99_ms']:.2f}", "", "", "",
                _cpu(c["usage"], roles), "",
            ])
        for name, read in mixed["reads"].items():
            pair = ab_reads.get(name)
            f = fresh.get(name)
            errors = read["errors"] + read["low"]["errors"]
            rows.append([
                f"GET {name}", f"{read['rps']:,.0f}" + (f" ({errors} errors)" if errors else ""),
                f"{read['rps'] / mixed['ceiling_rps']:.1%}", f"{read['p50_ms']:.2f}",
                f"{read['p99_ms']:.2f}", f"{read['low']['p99_ms']:.2f}",
                f"{pair['rps_ratio']:.2f}, {pair['p99_ratio']:.2f}" if pair else "",
                (f"{f['p99_ms']:.0f}" + (f" ({f['never_visible']} never)" if f["never_visible"] else ""))
                if f else "",
                _kept(read.get("cache")), _cpu(read["usage"], roles), _verdict(verdicts.get(name)),
            ])
    elif ab_reads:
        for name, pair in ab_reads.items():
            rows.append([f"GET {name}", "", "", "", "", "",
                         f"{pair['rps_ratio']:.2f}, {pair['p99_ratio']:.2f}", "", "", "",
                         _verdict(verdicts.get(name))])
    lines = _grid(head, rows) if rows else []

    other: list[list[str]] = []
    if mixed:
        w = mixed["writes"]
        other.append([
            f"writes during the reads (single POSTs, {w['api_processes']} API processes)",
            (f"{w['accepted_rate']:,.0f} grades/s of {w['target_rate']:,.0f} set; "
            f"{w['accepted']:,} accepted, {w['failed']} failed; POST p50 {w['post_p50_ms']:.1f} "
            f"ms, p99 {w['post_p99_ms']:.1f} ms"), _verdict(verdicts.get("writes")),
        ])
        fr = w["freshness"]
        other.append([
            "freshness: every read it changes, on every API process",
            (f"p50 {fr['p50_ms']:.0f} ms, p99 {fr['p99_ms']:.0f} ms, max {fr['max_ms']:.0f} ms over "
            f"{fr['count']} probes; {w['never_visible']} reads never showed one, "
            f"{w['failed_probes']} probes failed; polling {w.get('probe_request_rate', 0):,.0f} "
            "req/s"), _verdict(verdicts.get("freshness")),
        ])
        for process, f in w["freshness_by_process"].items():
            other.append([f"  as seen by {process}",
                          f"p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms over {f['count']} probes",
                          ""])
    if "ingest" in results:
        i = results["ingest"]
        other.append([
            f"ingest: {i['connections']} clients, single POSTs",
            f"{i['end_to_end_rate']:,.0f} grades/s end to end; freshness p50 "
            f"{i['freshness_p50_ms']:.0f} ms, p99 {i['freshness_p99_ms']:.0f} ms; cpu "
            + _cpu(i["usage"], roles), _verdict(verdicts.get("ingest")),
        ])
        other.append([
            "  of which accepted (POST 200)",
            (f"{i['accepted_rate']:,.0f} grades/s, POST p50 {i['post_p50_ms']:.1f} ms, p99 "
            f"{i['post_p99_ms']:.1f} ms; {i['accepted']:,} accepted, {i['lost']:,} lost, "
            f"{i['failed_posts']} failed"), "",
        ])
    for scale in results["scales"]:
        if "load" in scale:
            load = scale["load"]
            met = verdicts.get("bulk load", {}).get("met") if scale is main else None
            other.append([
                f"bulk load {_short(scale['shape']['task_grades'])} ({load['method']})",
                f"{load['rate']:,.0f} grades/s ({load['events']:,} in {load['seconds']:.0f} s)",
                "" if met is None else _yes(met),
            ])
    memory = results.get("memory", {})
    if memory:
        shown = ", ".join(f"{label} {mb:.0f}" for label, mb in memory.items()
                          if not label.startswith(("ceiling", "load", "writes")))
        other.append(["memory: max RSS, MB", shown, _verdict(verdicts.get("memory"))])
    if other:
        lines += ["", *_grid(["measurement", "result", "target met"], other)]

    shape = DatasetShape(**main["shape"])
    intro = [
        f"ClassConnect Stats benchmark, {results['started_at']}",
        (f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
        f"Python {machine['python']}, PostgreSQL {machine['postgres']}, Redis {machine['redis']}"),
        f"dataset: {shape.describe()}",
        (f"{settings['api_processes']} API processes, {settings['workers']} workers; reads "
        f"{settings['duration_s']:.0f} s at {conns} connections and {settings['p99_duration_s']:.0f} s "
        f"at {low}, each after a warm-up, while {settings['write_rate']:.0f} grades/s arrive; "
        f"A/B {settings['ab_rounds']} rounds of {settings['ab_duration_s']:.0f} s on each dataset; "
        f"load generator {machine['wrk'] or settings['load_generator']}"),
        ("targets: >= 30% of the ceiling (the mean of the two ceiling runs), p99 <= 5 ms at "
        f"{low} connections, fresh p99 <= 1 s, large/small p99 and small/large req/s <= 1.25, "
        "API RSS <= 200 MB, ingest >= 5,000/s, bulk >= 100,000/s"),
        "phases (s): " + ", ".join(f"{k} {v:.0f}" for k, v in results.get("phases_s", {}).items()),
        f"command: {results['command']}",
        "",
    ]
    return "\n".join(intro + lines)
