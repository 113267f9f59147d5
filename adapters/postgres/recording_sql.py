"""The SQL that records events and keeps the aggregates of migration 0002 in step.

One statement records a batch of grades, whatever its size: the events (idempotent on their ids),
the current grade of each slot (replaced only by a more recent one, inside the upsert), and the
change of every tally. The tallies change by what the upserts report, never by what a separate
read saw, so concurrent transactions cannot race: an upsert adds to the row as it is when locked.

Lock order. Every writer runs the same statement, so tables are locked in one order, and rows
within a table in key order (each INSERT ... SELECT is ORDER BY its conflict key): no deadlocks
between writers. The aggregate upserts are not read by the final SELECT, so each of them runs to
completion, in a fixed order, after the statement's reads.
"""

# The batch: one row per event in arrival order. `$n` arrays or the bulk path's temp table.
BATCH_FROM_ARRAYS = """
    SELECT * FROM unnest(
        $1::int[], $2::boolean[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
        $7::numeric[], $8::boolean[], $9::timestamptz[], $10::timestamptz[]
    ) AS b(arrival, is_task, event_id, student_id, course_id, task_id, grade, on_time,
           graded_at, accepted_at)
"""

INCOMING_TABLE = "incoming_grades"
INCOMING_COLUMNS = (
    "arrival",
    "is_task",
    "event_id",
    "student_id",
    "course_id",
    "task_id",
    "grade",
    "on_time",
    "graded_at",
    "accepted_at",
)
CREATE_INCOMING = f"""
CREATE TEMP TABLE IF NOT EXISTS {INCOMING_TABLE} (
    arrival     int          NOT NULL,
    is_task     boolean      NOT NULL,
    event_id    uuid         NOT NULL,
    student_id  uuid         NOT NULL,
    course_id   text         NOT NULL,
    task_id     text,
    grade       numeric      NOT NULL,
    on_time     boolean      NOT NULL,
    graded_at   timestamptz  NOT NULL,
    accepted_at timestamptz  NOT NULL
) ON COMMIT DELETE ROWS
"""
BATCH_FROM_TABLE = f"SELECT * FROM pg_temp.{INCOMING_TABLE}"

_DAY = "(({at}) AT TIME ZONE 'UTC')::date"




def _add(
    name: str, table: str, deltas: str, keys: tuple[str, ...], *, skip_no_change: bool = False
) -> str:
    """A step that adds the rows of the step `deltas`, summed by `keys`, to the tallies of
    `table` (rows in key order; with `skip_no_change`, not the sums that change nothing)."""
    columns = ", ".join(keys)
    having = (
        "HAVING sum(count) <> 0 OR sum(total) <> 0 OR sum(on_time) <> 0" if skip_no_change else ""
    )
    return f"""{name} AS (
    INSERT INTO {table} AS t ({columns}, count, total, on_time)
    SELECT {columns}, sum(count), sum(total), sum(on_time)
    FROM {deltas}
    GROUP BY {columns}
    {having}
    ORDER BY {columns}
    ON CONFLICT ({columns}) DO UPDATE SET
        count = t.count + excluded.count, total = t.total + excluded.total,
        on_time = t.on_time + excluded.on_time
)"""


def record_grades_sql(batch_source: str) -> str:
    """The statement recording a batch of course and task grades; returns how many changed
    a statistic (see PostgresGradeStore.record)."""
    return f"""
WITH batch AS ({batch_source}),
-- Only the first sighting of an event id counts, as it would arriving alone; grades a
-- tombstone covers are ignored.
first_sightings AS (
    SELECT DISTINCT ON (is_task, event_id) b.*
    FROM batch AS b
    WHERE NOT EXISTS (
        SELECT FROM student_erasures AS e
        WHERE e.student_id = b.student_id AND b.accepted_at <= e.erased_up_to
    )
    ORDER BY is_task, event_id, arrival
),
course_inserted AS (
    INSERT INTO course_grades
        (event_id, student_id, course_id, grade, on_time, graded_at, accepted_at)
    SELECT event_id, student_id, course_id, grade, on_time, graded_at, accepted_at
    FROM first_sightings
    WHERE NOT is_task
    ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING student_id, course_id, grade, on_time, graded_at
),
task_stored AS (
    INSERT INTO task_grade_events
        (event_id, student_id, course_id, task_id, grade, on_time, graded_at, accepted_at)
    SELECT event_id, student_id, course_id, task_id, grade, on_time, graded_at, accepted_at
    FROM first_sightings
    WHERE is_task
    ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
-- The batch's new task grades, each slot's most recent first (`recency_rank` 1 is the one the
-- slot may take). An event changes a statistic when it is new and, at its turn in arrival order,
-- supersedes its slot's grade: the stored one and every new one that arrived before it in the
-- batch, that is when no more recent new one arrived before it (`newer_arrival`, the earliest
-- arrival of a more recent one). Both come from one sort.
new_events AS (
    SELECT f.*,
           row_number() OVER by_recency AS recency_rank,
           min(arrival) OVER (by_recency ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS newer_arrival
    FROM first_sightings AS f
    JOIN task_stored USING (event_id)
    WHERE f.is_task
    WINDOW by_recency AS (
        PARTITION BY student_id, course_id, task_id
        ORDER BY graded_at DESC, accepted_at DESC, event_id DESC
    )
),
-- One upsert per slot writes the batch's most recent new grade if it beats the stored one; the
-- row it replaced (`superseded_*`) is what leaves the tallies, and tells how many of the batch's
-- events beat it on the way.
replaced AS (
    INSERT INTO current_task_grades AS current
        (student_id, course_id, task_id, event_id, grade, on_time, graded_at, accepted_at)
    SELECT student_id, course_id, task_id, event_id, grade, on_time, graded_at, accepted_at
    FROM new_events
    WHERE recency_rank = 1
    ORDER BY student_id, course_id, task_id
    ON CONFLICT (student_id, course_id, task_id) DO UPDATE SET
        event_id = excluded.event_id,
        grade = excluded.grade,
        on_time = excluded.on_time,
        graded_at = excluded.graded_at,
        accepted_at = excluded.accepted_at,
        superseded_graded_at = current.graded_at,
        superseded_accepted_at = current.accepted_at,
        superseded_event_id = current.event_id,
        superseded_grade = current.grade,
        superseded_on_time = current.on_time
    WHERE (excluded.graded_at, excluded.accepted_at, excluded.event_id)
        > (current.graded_at, current.accepted_at, current.event_id)
    RETURNING student_id, course_id, task_id, grade, on_time, graded_at,
              superseded_graded_at, superseded_accepted_at, superseded_event_id,
              superseded_grade, superseded_on_time
),
task_deltas AS (
    SELECT student_id, course_id, task_id, {_DAY.format(at="graded_at")} AS day,
           1 AS count, grade AS total, on_time::int AS on_time
    FROM replaced
    UNION ALL
    SELECT student_id, course_id, task_id, {_DAY.format(at="superseded_graded_at")},
           -1, -superseded_grade, -(superseded_on_time::int)
    FROM replaced
    WHERE superseded_event_id IS NOT NULL
),
course_deltas AS (
    SELECT student_id, course_id, {_DAY.format(at="graded_at")} AS day,
           1 AS count, grade AS total, on_time::int AS on_time
    FROM course_inserted
),
student_courses AS (
    INSERT INTO student_course_tallies AS t
        (student_id, course_id, course_count, course_total, course_on_time,
         task_count, task_total, task_on_time)
    SELECT student_id, course_id, sum(cc), sum(ct), sum(cn), sum(tc), sum(tt), sum(tn)
    FROM (
        SELECT student_id, course_id, count AS cc, total AS ct, on_time AS cn,
               0 AS tc, 0 AS tt, 0 AS tn
        FROM course_deltas
        UNION ALL
        SELECT student_id, course_id, 0, 0, 0, count, total, on_time FROM task_deltas
    ) AS d
    GROUP BY student_id, course_id
    HAVING sum(cc) <> 0 OR sum(ct) <> 0 OR sum(cn) <> 0
        OR sum(tc) <> 0 OR sum(tt) <> 0 OR sum(tn) <> 0
    ORDER BY student_id, course_id
    ON CONFLICT (student_id, course_id) DO UPDATE SET
        course_count = t.course_count + excluded.course_count,
        course_total = t.course_total + excluded.course_total,
        course_on_time = t.course_on_time + excluded.course_on_time,
        task_count = t.task_count + excluded.task_count,
        task_total = t.task_total + excluded.task_total,
        task_on_time = t.task_on_time + excluded.task_on_time
),
{_add("student_course_days", "student_course_grade_days", "course_deltas",
      ("student_id", "course_id", "day"))},
{_add("course_days", "course_grade_days", "course_deltas", ("course_id", "day"))},
-- Both per-course tallies of task grades sum the same few rows per (course, task, day).
task_day_deltas AS (
    SELECT course_id, task_id, day, sum(count) AS count, sum(total) AS total,
           sum(on_time) AS on_time
    FROM task_deltas
    GROUP BY course_id, task_id, day
),
{_add("course_task_days", "course_task_grade_days", "task_day_deltas", ("course_id", "day"),
      skip_no_change=True)},
{_add("course_tasks", "course_task_tallies", "task_day_deltas", ("course_id", "task_id"),
      skip_no_change=True)}
SELECT (SELECT count(*) FROM course_inserted)
     + (SELECT count(*)
        FROM new_events AS r
        JOIN replaced AS c USING (student_id, course_id, task_id)
        WHERE (r.newer_arrival IS NULL OR r.newer_arrival > r.arrival)
          AND (c.superseded_event_id IS NULL  -- the slot's first grade
               OR (r.graded_at, r.accepted_at, r.event_id)
                  > (c.superseded_graded_at, c.superseded_accepted_at, c.superseded_event_id)))
"""


# Writers of grades hold ROW EXCLUSIVE on these tables until they commit; an erasure waits for
# them and keeps new ones out until it commits, so no grade it covers can slip in unseen. Taken
# first in the transaction by a batch holding an erasure (see the store), so two such batches
# queue up on the lock rather than deadlock on an upgrade.
LOCK_FOR_ERASURE = "LOCK TABLE course_grades, task_grade_events IN SHARE ROW EXCLUSIVE MODE"



def _subtract(
    name: str, table: str, removed: str, keys: tuple[str, ...], *, of_the_student: bool = False
) -> str:
    """A step that takes off the tallies of `table` (keyed by `keys`, and the student when
    `of_the_student`) what the rows of the step `removed` had added to them."""
    columns = ", ".join(keys)
    match = " AND ".join(
        (["t.student_id = $1"] if of_the_student else []) + [f"t.{k} = d.{k}" for k in keys]
    )
    return f"""{name} AS (
    UPDATE {table} AS t
    SET count = t.count - d.count, total = t.total - d.total, on_time = t.on_time - d.on_time
    FROM (
        SELECT {columns}, count(*) AS count, sum(grade) AS total, sum(on_time) AS on_time
        FROM {removed} GROUP BY {columns}
    ) AS d
    WHERE {match}
)"""


# $1 student, $2 erased up to. Returns how many events it removed.
ERASE_STUDENT = f"""
WITH tombstone AS (
    INSERT INTO student_erasures AS e (student_id, erased_up_to) VALUES ($1, $2)
    ON CONFLICT (student_id) DO UPDATE
        SET erased_up_to = greatest(e.erased_up_to, excluded.erased_up_to)
),
course_removed AS (
    DELETE FROM course_grades
    WHERE student_id = $1 AND accepted_at <= $2
    RETURNING course_id, {_DAY.format(at="graded_at")} AS day, grade, on_time::int AS on_time
),
events_removed AS (
    DELETE FROM task_grade_events
    WHERE student_id = $1 AND accepted_at <= $2
    RETURNING 1
),
current_removed AS (
    DELETE FROM current_task_grades
    WHERE student_id = $1 AND accepted_at <= $2
    RETURNING course_id, task_id, {_DAY.format(at="graded_at")} AS day, grade,
              on_time::int AS on_time
),
student_courses AS (
    UPDATE student_course_tallies AS t SET
        course_count = t.course_count - d.cc,
        course_total = t.course_total - d.ct,
        course_on_time = t.course_on_time - d.cn,
        task_count = t.task_count - d.tc,
        task_total = t.task_total - d.tt,
        task_on_time = t.task_on_time - d.tn
    FROM (
        SELECT course_id, sum(cc) AS cc, sum(ct) AS ct, sum(cn) AS cn,
               sum(tc) AS tc, sum(tt) AS tt, sum(tn) AS tn
        FROM (
            SELECT course_id, 1 AS cc, grade AS ct, on_time AS cn, 0 AS tc, 0 AS tt, 0 AS tn
            FROM course_removed
            UNION ALL
            SELECT course_id, 0, 0, 0, 1, grade, on_time FROM current_removed
        ) AS removed
        GROUP BY course_id
    ) AS d
    WHERE t.student_id = $1 AND t.course_id = d.course_id
),
{_subtract("student_course_days", "student_course_grade_days", "course_removed",
           ("course_id", "day"), of_the_student=True)},
{_subtract("course_days", "course_grade_days", "course_removed", ("course_id", "day"))},
{_subtract("course_task_days", "course_task_grade_days", "current_removed", ("course_id", "day"))},
{_subtract("course_tasks", "course_task_tallies", "current_removed", ("course_id", "task_id"))}
SELECT (SELECT count(*) FROM course_removed) + (SELECT count(*) FROM events_removed)
"""

# After ERASE_STUDENT (whose changes it sees): nothing of the student's is left but rows that
# still hold grades accepted after the erasure.
FORGET_EMPTY_ROWS = """
WITH tallies AS (
    DELETE FROM student_course_tallies
    WHERE student_id = $1 AND course_count = 0 AND task_count = 0
)
DELETE FROM student_course_grade_days WHERE student_id = $1 AND count = 0
"""


# The task-grade events of the student accepted after an erasure whose slot's current grade the
# erasure removes (a grade graded earlier, so not current, recorded before the erasure arrived):
# they survive, and one of them becomes the slot's grade again once the erasure is done.
SURVIVORS_OF_ERASED_SLOTS = """
SELECT e.event_id, e.student_id, e.course_id, e.task_id, e.grade, e.on_time, e.graded_at,
       e.accepted_at
FROM task_grade_events e
JOIN current_task_grades c USING (student_id, course_id, task_id)
WHERE e.student_id = $1 AND e.accepted_at > $2 AND c.accepted_at <= $2
"""

# The courses whose statistics an erasure of the student may change (read before it).
COURSES_OF_STUDENT = """
SELECT course_id FROM course_grades WHERE student_id = $1
UNION
SELECT course_id FROM current_task_grades WHERE student_id = $1
"""

# Survivors are recorded again through the ordinary statement, which needs them not to be known.
FORGET_TASK_EVENTS = "DELETE FROM task_grade_events WHERE event_id = ANY($1::uuid[])"

TRUNCATE_INCOMING = f"TRUNCATE {INCOMING_TABLE}"  # an earlier call's rows


# The event ids of a batch that are stored for a grade of the same kind saying something else
# (a sender reusing an id). IS DISTINCT FROM compares the values: 7.5 and 7.50, one moment in
# two offsets, are the same.
REUSED_IDS = """
SELECT b.event_id
FROM unnest($1::boolean[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::numeric[],
            $7::boolean[], $8::timestamptz[])
     AS b(is_task, event_id, student_id, course_id, task_id, grade, on_time, graded_at)
JOIN course_grades AS c ON NOT b.is_task AND c.event_id = b.event_id
WHERE (c.student_id, c.course_id, c.grade, c.on_time, c.graded_at)
      IS DISTINCT FROM (b.student_id, b.course_id, b.grade, b.on_time, b.graded_at)
UNION
SELECT b.event_id
FROM unnest($1::boolean[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::numeric[],
            $7::boolean[], $8::timestamptz[])
     AS b(is_task, event_id, student_id, course_id, task_id, grade, on_time, graded_at)
JOIN task_grade_events AS t ON b.is_task AND t.event_id = b.event_id
WHERE (t.student_id, t.course_id, t.task_id, t.grade, t.on_time, t.graded_at)
      IS DISTINCT FROM (b.student_id, b.course_id, b.task_id, b.grade, b.on_time, b.graded_at)
"""
