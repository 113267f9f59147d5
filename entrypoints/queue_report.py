"""The queue as operators see it, the same from `classconnect-stats queue` and from
GET /stats/admin/queue: stream length, per consumer group the consumers, pending entries, lag
and the age of the oldest pending entry, and the dead letters."""

from typing import Any

from pydantic import TypeAdapter

from application.ports.queue import QueueStats

_STATS = TypeAdapter(QueueStats)


def as_json(stats: QueueStats) -> dict[str, Any]:
    data: dict[str, Any] = _STATS.dump_python(stats, mode="json")
    return data


def as_table(stats: QueueStats) -> str:
    lines = [
        f"stream        {stats.stream}",
        f"length        {stats.length}",
        f"dead letters  {stats.dead_letters}",
        "",
    ]
    if not stats.groups:
        lines.append("no consumer group yet (no worker has started)")
        return "\n".join(lines)
    header = ("group", "consumers", "pending", "lag", "oldest pending")
    rows = [
        (
            g.name,
            str(g.consumers),
            str(g.pending),
            "?" if g.lag is None else str(g.lag),
            "-" if g.oldest_pending_age is None else f"{g.oldest_pending_age:.1f} s",
        )
        for g in stats.groups
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
