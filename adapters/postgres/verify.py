"""Recompute every aggregate from the recorded grades and compare it with the one the store keeps.

The recomputation reads the base tables (course_grades for course-level grades, current_task_grades
for task grades), so it proves that the incremental upkeep added and subtracted exactly. A row
whose tallies are all zero counts as absent on either side. Runs in one REPEATABLE READ, read-only
transaction: a consistent snapshot even while workers record.
"""

from dataclasses import dataclass
from typing import Any

import asyncpg

from adapters.postgres.pool import ConnectionPool
from application.ports.analytics_reader import RECENT_GRADES_KEPT

_DAY = "(graded_at AT TIME ZONE 'UTC')::date"
_TALLY = "count(*) AS count, sum(grade) AS total, count(*) FILTER (WHERE on_time) AS on_time"


@dataclass(frozen=True, slots=True)
class Aggregate:
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    recomputed: str  # a SELECT of key + columns from the base tables
    # The columns whose values, all zero, mean no row (default: every column); () for none.
    counted: tuple[str, ...] | None = None


_COUNTS = ("count", "total", "on_time")
# The bins [0,1) ... [8,9), [9,10] of domain.distribution.histogram.
_BINS = ", ".join(
    f"count(*) FILTER (WHERE grade >= {low} AND grade < {low + 1})" for low in range(9)
) + ", count(*) FILTER (WHERE grade >= 9)"

AGGREGATES = (
    Aggregate(
        "student_course_tallies",
        ("student_id", "course_id"),
        ("course_count", "course_total", "course_on_time", "task_count", "task_total",
         "task_on_time"),
        """
        SELECT student_id, course_id,
               count(*) FILTER (WHERE NOT is_task) AS course_count,
               coalesce(sum(grade) FILTER (WHERE NOT is_task), 0) AS course_total,
               count(*) FILTER (WHERE NOT is_task AND on_time) AS course_on_time,
               count(*) FILTER (WHERE is_task) AS task_count,
               coalesce(sum(grade) FILTER (WHERE is_task), 0) AS task_total,
               count(*) FILTER (WHERE is_task AND on_time) AS task_on_time
        FROM (
            SELECT student_id, course_id, grade, on_time, false AS is_task FROM course_grades
            UNION ALL
            SELECT student_id, course_id, grade, on_time, true FROM current_task_grades
        ) AS grades
        GROUP BY student_id, course_id
        """,
    ),
    Aggregate(
        "student_course_grade_days",
        ("student_id", "course_id", "day"),
        _COUNTS,
        f"SELECT student_id, course_id, {_DAY} AS day, {_TALLY} FROM course_grades"
        " GROUP BY 1, 2, 3",
    ),
    Aggregate(
        "course_grade_days",
        ("course_id", "day"),
        _COUNTS,
        f"SELECT course_id, {_DAY} AS day, {_TALLY} FROM course_grades GROUP BY 1, 2",
    ),
    Aggregate(
        "course_task_grade_days",
        ("course_id", "day"),
        _COUNTS,
        f"SELECT course_id, {_DAY} AS day, {_TALLY} FROM current_task_grades GROUP BY 1, 2",
    ),
    Aggregate(
        "course_task_tallies",
        ("course_id", "task_id"),
        (*_COUNTS, "squares", "histogram", "ranked"),
        f"""
        SELECT course_id, task_id, count, total, on_time, squares, histogram,
               ARRAY[o[1], o[(count - 1) / 4 + 1], o[least((count - 1) / 4 + 2, count)],
                     o[(count - 1) * 2 / 4 + 1], o[least((count - 1) * 2 / 4 + 2, count)],
                     o[(count - 1) * 3 / 4 + 1], o[least((count - 1) * 3 / 4 + 2, count)],
                     o[count]] AS ranked
        FROM (
            SELECT course_id, task_id, {_TALLY}, sum(grade * grade) AS squares,
                   array_agg(grade ORDER BY grade) AS o,
                   ARRAY[{_BINS}] AS histogram
            FROM current_task_grades
            GROUP BY 1, 2
        ) AS per_task
        """,
        counted=_COUNTS,
    ),
    Aggregate(
        "course_task_grade_values",
        ("course_id", "task_id", "grade"),
        ("count",),
        "SELECT course_id, task_id, grade, count(*) AS count FROM current_task_grades"
        " GROUP BY 1, 2, 3",
    ),
    Aggregate(
        "student_course_recent_grades",
        ("course_id", "student_id"),
        ("task_ids", "grades", "graded_at"),
        f"""
        SELECT course_id, student_id,
               array_agg(task_id ORDER BY graded_at, task_id COLLATE "C") AS task_ids,
               array_agg(grade ORDER BY graded_at, task_id COLLATE "C") AS grades,
               array_agg(graded_at ORDER BY graded_at, task_id COLLATE "C") AS graded_at
        FROM (
            SELECT course_id, student_id, task_id, grade, graded_at,
                   row_number() OVER (PARTITION BY course_id, student_id
                                      ORDER BY graded_at DESC, task_id COLLATE "C" DESC)
                       AS recency
            FROM current_task_grades
        ) AS numbered
        WHERE recency <= {RECENT_GRADES_KEPT}
        GROUP BY course_id, student_id
        """,
        counted=(),
    ),
)


@dataclass(frozen=True, slots=True)
class Difference:
    table: str
    key: dict[str, Any]
    stored: dict[str, Any] | None  # None: no row (or an all-zero one)
    recomputed: dict[str, Any] | None

    def __str__(self) -> str:
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.table} ({key}): stored {self.stored}, recomputed {self.recomputed}"


def _comparison_sql(aggregate: Aggregate) -> str:
    """The statement comparing one aggregate with its recomputation; $1 is the row limit."""
    key = ", ".join(aggregate.key)
    columns = ", ".join(aggregate.columns)
    counted = aggregate.columns if aggregate.counted is None else aggregate.counted
    nonzero = " OR ".join(f"{c} <> 0" for c in counted) or "true"
    same = " AND ".join(f"s.{c} IS NOT DISTINCT FROM r.{c}" for c in aggregate.columns)
    pick = ", ".join(f"coalesce(s.{k}, r.{k}) AS {k}" for k in aggregate.key)
    stored = ", ".join(f"s.{c} AS stored_{c}" for c in aggregate.columns)
    recomputed = ", ".join(f"r.{c} AS recomputed_{c}" for c in aggregate.columns)
    return f"""
    WITH s AS (SELECT {key}, {columns} FROM {aggregate.table} WHERE {nonzero}),
         r AS ({aggregate.recomputed})
    SELECT {pick}, s.{aggregate.key[0]} IS NOT NULL AS has_stored,
           r.{aggregate.key[0]} IS NOT NULL AS has_recomputed, {stored}, {recomputed}
    FROM s FULL JOIN r USING ({key})
    WHERE s.{aggregate.key[0]} IS NULL OR r.{aggregate.key[0]} IS NULL OR NOT ({same})
    ORDER BY {key}
    LIMIT $1
    """


_COMPARISONS = {aggregate.table: _comparison_sql(aggregate) for aggregate in AGGREGATES}


async def find_differences(
    connection: asyncpg.Connection, *, limit: int = 100
) -> list[Difference]:
    """Every aggregate row that differs from its recomputation (at most `limit` per table)."""
    found: list[Difference] = []
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        for aggregate in AGGREGATES:
            for row in await connection.fetch(_COMPARISONS[aggregate.table], limit):
                found.append(_difference(aggregate, row))
    return found


async def verify(url_or_pool: str | ConnectionPool, *, limit: int = 100) -> list[Difference]:
    if isinstance(url_or_pool, str):
        connection = await asyncpg.connect(url_or_pool)
        try:
            return await find_differences(connection, limit=limit)
        finally:
            await connection.close()
    async with url_or_pool.acquire() as pooled:
        return await find_differences(pooled, limit=limit)


def _difference(aggregate: Aggregate, row: asyncpg.Record) -> Difference:
    def side(prefix: str, present: bool) -> dict[str, Any] | None:
        return {c: row[f"{prefix}_{c}"] for c in aggregate.columns} if present else None

    return Difference(
        aggregate.table,
        {k: row[k] for k in aggregate.key},
        side("stored", row["has_stored"]),
        side("recomputed", row["has_recomputed"]),
    )
