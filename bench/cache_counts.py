"""How the API processes' answer caches served a read: the `answer_cache_requests_total`
counters of every process's /metrics, summed, before and after a load."""

from collections.abc import Sequence

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

METRIC = "classconnect_stats_answer_cache_requests"
RESULTS = ("hit", "stale", "miss", "bypass")


async def cache_counts(base_urls: Sequence[str]) -> dict[str, float] | None:
    """Requests by result (hit, stale, miss, bypass) over all processes; None where a process
    has no such metric (the ceiling's bare handlers)."""
    totals = dict.fromkeys(RESULTS, 0.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for base in base_urls:
            async with session.get(f"{base}/metrics") as response:
                if response.status != 200:
                    return None
                counts = counts_in(await response.text())
            if counts is None:
                return None
            for result in RESULTS:
                totals[result] += counts[result]
    return totals


def counts_in(exposition: str) -> dict[str, float] | None:
    """The answer cache's requests by result in one process's Prometheus text."""
    family = next((f for f in text_string_to_metric_families(exposition) if f.name == METRIC), None)
    if family is None:
        return None
    counts = dict.fromkeys(RESULTS, 0.0)
    for sample in family.samples:
        if sample.name.endswith("_total") and sample.labels.get("result") in counts:
            counts[sample.labels["result"]] += sample.value
    return counts


def served(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, int] | None:
    """What was counted between two readings, with the share of requests answered from the
    cache (hit or stale)."""
    if before is None or after is None:
        return None
    delta = {result: int(after[result] - before[result]) for result in RESULTS}
    total = sum(delta.values())
    return {**delta, "kept_percent": round(100 * (delta["hit"] + delta["stale"]) / total) if total else 0}
