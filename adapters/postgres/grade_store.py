"""The write side: a batch of events in two set-based statements, whatever its size.

Every rule is enforced by the database, so concurrent transactions cannot race each other: the
event-id primary keys make recording idempotent, and the current grade of a slot is replaced
only inside the upsert, by a row comparison against the stored recency.
"""

from collections.abc import Sequence

import asyncpg

from domain.events import CourseGraded, GradeEvent, TaskGraded

# $1.. are parallel arrays, one element per event in arrival order. Only the first sighting of
# an event id in the batch counts, as it would arriving alone.
_RECORD_COURSE_GRADES = """
WITH batch AS (
    SELECT * FROM unnest(
        $1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::boolean[],
        $7::timestamptz[], $8::timestamptz[]
    ) AS b(arrival, event_id, student_id, course_id, grade, on_time, graded_at, accepted_at)
),
first_sightings AS (
    SELECT DISTINCT ON (event_id) * FROM batch ORDER BY event_id, arrival
),
inserted AS (
    INSERT INTO course_grades
        (event_id, student_id, course_id, grade, on_time, graded_at, accepted_at)
    SELECT event_id, student_id, course_id, grade, on_time, graded_at, accepted_at
    FROM first_sightings
    ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM inserted
"""

# An event changes a statistic when it is new and, at its turn in arrival order, supersedes
# its slot's grade: the stored one and every new one that arrived before it in the batch.
# One upsert per slot writes the batch's most recent new grade if it beats the stored one; the
# row it replaced (`superseded_*`) tells how many of the batch's events did beat it on the way.
_RECORD_TASK_GRADES = """
WITH batch AS (
    SELECT * FROM unnest(
        $1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::numeric[],
        $7::boolean[], $8::timestamptz[], $9::timestamptz[]
    ) AS b(arrival, event_id, student_id, course_id, task_id, grade, on_time, graded_at,
           accepted_at)
),
first_sightings AS (
    SELECT DISTINCT ON (event_id) * FROM batch ORDER BY event_id, arrival
),
stored AS (
    INSERT INTO task_grade_events
        (event_id, student_id, course_id, task_id, grade, on_time, graded_at, accepted_at)
    SELECT event_id, student_id, course_id, task_id, grade, on_time, graded_at, accepted_at
    FROM first_sightings
    ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
new_events AS (
    SELECT f.*,
           row_number() OVER (
               PARTITION BY student_id, course_id, task_id
               ORDER BY graded_at, accepted_at, event_id
           ) AS recency_rank
    FROM first_sightings AS f
    JOIN stored USING (event_id)
),
batch_records AS (
    SELECT * FROM (
        SELECT n.*,
               max(recency_rank) OVER (
                   PARTITION BY student_id, course_id, task_id
                   ORDER BY arrival
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS best_rank_before
        FROM new_events AS n
    ) AS ranked
    WHERE best_rank_before IS NULL OR recency_rank > best_rank_before
),
batch_latest AS (
    SELECT DISTINCT ON (student_id, course_id, task_id) *
    FROM new_events
    ORDER BY student_id, course_id, task_id, recency_rank DESC
),
replaced AS (
    INSERT INTO current_task_grades AS current
        (student_id, course_id, task_id, event_id, grade, on_time, graded_at, accepted_at)
    SELECT student_id, course_id, task_id, event_id, grade, on_time, graded_at, accepted_at
    FROM batch_latest
    ORDER BY student_id, course_id, task_id  -- one lock order for every writer: no deadlocks
    ON CONFLICT (student_id, course_id, task_id) DO UPDATE SET
        event_id = excluded.event_id,
        grade = excluded.grade,
        on_time = excluded.on_time,
        graded_at = excluded.graded_at,
        accepted_at = excluded.accepted_at,
        superseded_graded_at = current.graded_at,
        superseded_accepted_at = current.accepted_at,
        superseded_event_id = current.event_id
    WHERE (excluded.graded_at, excluded.accepted_at, excluded.event_id)
        > (current.graded_at, current.accepted_at, current.event_id)
    RETURNING student_id, course_id, task_id,
              superseded_graded_at, superseded_accepted_at, superseded_event_id
)
SELECT count(*)
FROM batch_records AS r
JOIN replaced AS c USING (student_id, course_id, task_id)
WHERE c.superseded_event_id IS NULL  -- the slot's first grade
   OR (r.graded_at, r.accepted_at, r.event_id)
      > (c.superseded_graded_at, c.superseded_accepted_at, c.superseded_event_id)
"""


class PostgresGradeStore:
    """Records events through the unit of work's connection, inside its transaction."""

    def __init__(self, connection: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> None:
        self._connection = connection

    async def record(self, events: Sequence[GradeEvent]) -> int:
        course_grades = [e for e in events if isinstance(e, CourseGraded)]
        task_grades = [e for e in events if isinstance(e, TaskGraded)]
        changed = 0
        if course_grades:
            changed += await self._connection.fetchval(
                _RECORD_COURSE_GRADES,
                list(range(len(course_grades))),
                [e.event_id for e in course_grades],
                [e.student_id for e in course_grades],
                [e.course_id for e in course_grades],
                [e.grade for e in course_grades],
                [e.on_time for e in course_grades],
                [e.graded_at for e in course_grades],
                [e.accepted_at for e in course_grades],
            )
        if task_grades:
            changed += await self._connection.fetchval(
                _RECORD_TASK_GRADES,
                list(range(len(task_grades))),
                [e.event_id for e in task_grades],
                [e.student_id for e in task_grades],
                [e.course_id for e in task_grades],
                [e.task_id for e in task_grades],
                [e.grade for e in task_grades],
                [e.on_time for e in task_grades],
                [e.graded_at for e in task_grades],
                [e.accepted_at for e in task_grades],
            )
        return changed
