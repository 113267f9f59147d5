"""The queue as operators see it, the same from `classconnect-stats queue` and from
GET /stats/admin/queue: stream length, per consumer group the consumers (with what each holds
and how long it has been idle), pending entries, lag and the age of the oldest pending entry, the
dead letters, whether consumption is paused, and the events processed and failed per minute in
the last hour."""

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
        "consumption   " + (f"paused since {stats.paused_since.isoformat()}"
                            if stats.paused_since else "running"),
        (f"last hour     processed {sum(m.processed for m in stats.throughput)}, "
         f"failed {sum(m.failed for m in stats.throughput)}"),
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
    lines.extend(_aligned(header, rows))
    consumers = [
        (g.name, c.name, str(c.pending), f"{c.idle:.1f} s")
        for g in stats.groups for c in g.consumer_states
    ]
    if consumers:
        lines.append("")
        lines.extend(_aligned(("group", "consumer", "pending", "idle"), consumers))
    return "\n".join(lines)


def _aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
