"""The SQL that records events and keeps the aggregates (migrations 0002 and 0005) in step.

One statement records a batch of grades, whatever its size: the events (idempotent on their ids),
the current grade of each slot (replaced only by a more recent one, inside the upsert), and the
change of every tally, of the per-value grade counts and of each student's latest grades. The
tallies change by what the upserts report, never by what a separate read saw, so concurrent
transactions cannot race: an upsert adds to (or merges into) the row as it is when locked. A
second statement (REFRESH_RANKED) then rederives what cannot be added up, the values at the
quartile ranks of each task the first one changed.

Lock order. Every writer runs the same statement, so tables are locked in one order, and rows
within a table in key order (each INSERT ... SELECT is ORDER BY its conflict key): no deadlocks
between writers. The aggregate upserts are not read by the final SELECT, so each of them runs to
completion, in a fixed order, after the statement's reads.
"""

from application.ports.analytics_reader import RECENT_GRADES_KEPT

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

# What the recording and erasing statements return after their count: the (course, task) keys
# whose current grades they changed, as parallel arrays, for REFRESH_RANKED.
_CHANGED_TASKS = """ARRAY(SELECT course_id FROM changed_tasks ORDER BY 1, task_id) AS task_courses,
       ARRAY(SELECT task_id FROM changed_tasks ORDER BY course_id, 1) AS task_ids"""

# The latest RECENT_GRADES_KEPT of a (course, student)'s current task grades, oldest first, from
# the row `{old}` of student_course_recent_grades (the latest before a change) and the latest of
# the grades the change made current, `{new}` (as arrays, same columns). Enough: a slot's grade
# only ever becomes current for a later graded_at, so a grade older than the `{old}` ones stays
# out; a changed task's old entry gives way to its new one.
_MERGED_RECENT = f"""(
        SELECT array_agg(task_id ORDER BY graded_at, task_id COLLATE "C"),
               array_agg(grade ORDER BY graded_at, task_id COLLATE "C"),
               array_agg(graded_at ORDER BY graded_at, task_id COLLATE "C")
        FROM (
            SELECT *
            FROM (
                SELECT *
                FROM unnest({{old}}.task_ids, {{old}}.grades, {{old}}.graded_at)
                     AS kept(task_id, grade, graded_at)
                WHERE kept.task_id <> ALL ({{new}}.task_ids)
                UNION ALL
                SELECT * FROM unnest({{new}}.task_ids, {{new}}.grades, {{new}}.graded_at)
            ) AS candidates
            ORDER BY graded_at DESC, task_id COLLATE "C" DESC
            LIMIT {RECENT_GRADES_KEPT}
        ) AS latest
    )"""

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


BINS = 10  # domain.distribution.HISTOGRAM_BINS: [0,1) ... [8,9), [9,10]
_BIN = "least(floor({grade}), 9)::int"


def _histogram_of(rows_with_bin: str) -> str:
    """The histogram array summing `rows_with_bin` by `bin` over the rows of an aggregate."""
    bins = ",\n          ".join(
        f"coalesce(sum({rows_with_bin}) FILTER (WHERE bin = {b}), 0)" for b in range(BINS)
    )
    return f"ARRAY[{bins}]::bigint[]"


def _histogram_plus(left: str, sign: str, right: str) -> str:
    """Two histogram arrays added (sign '+') or subtracted ('-') bin by bin."""
    bins = ",\n          ".join(f"{left}[{b}] {sign} {right}[{b}]" for b in range(1, BINS + 1))
    return f"ARRAY[{bins}]"


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
           1 AS count, grade AS total, on_time::int AS on_time, grade * grade AS squares,
           {_BIN.format(grade="grade")} AS bin
    FROM replaced
    UNION ALL
    SELECT student_id, course_id, task_id, {_DAY.format(at="superseded_graded_at")},
           -1, -superseded_grade, -(superseded_on_time::int),
           -(superseded_grade * superseded_grade), {_BIN.format(grade="superseded_grade")}
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
-- Every (course, task) whose current grades changed is upserted, even by sums of zero: the row
-- stays locked until commit, which REFRESH relies on.
course_tasks AS (
    INSERT INTO course_task_tallies AS t
        (course_id, task_id, count, total, on_time, squares, histogram)
    SELECT course_id, task_id, sum(count), sum(total), sum(on_time), sum(squares),
           {_histogram_of("count")}
    FROM task_deltas
    GROUP BY course_id, task_id
    ORDER BY course_id, task_id
    ON CONFLICT (course_id, task_id) DO UPDATE SET
        count = t.count + excluded.count, total = t.total + excluded.total,
        on_time = t.on_time + excluded.on_time, squares = t.squares + excluded.squares,
        histogram = {_histogram_plus("t.histogram", "+", "excluded.histogram")}
),
grade_values AS (
    INSERT INTO course_task_grade_values AS t (course_id, task_id, grade, count)
    SELECT course_id, task_id, grade, sum(count)
    FROM (
        SELECT course_id, task_id, grade, 1 AS count FROM replaced
        UNION ALL
        SELECT course_id, task_id, superseded_grade, -1
        FROM replaced
        WHERE superseded_event_id IS NOT NULL
    ) AS d
    GROUP BY course_id, task_id, grade
    HAVING sum(count) <> 0
    ORDER BY course_id, task_id, grade
    ON CONFLICT (course_id, task_id, grade) DO UPDATE SET count = t.count + excluded.count
),
-- A (course, student)'s latest grades: the latest ones the batch made current, merged into
-- the kept ones under the row's lock.
recent_changes AS (
    SELECT course_id, student_id,
           (array_agg(task_id ORDER BY graded_at DESC, task_id COLLATE "C" DESC))
               [1:{RECENT_GRADES_KEPT}] AS task_ids,
           (array_agg(grade ORDER BY graded_at DESC, task_id COLLATE "C" DESC))
               [1:{RECENT_GRADES_KEPT}] AS grades,
           (array_agg(graded_at ORDER BY graded_at DESC, task_id COLLATE "C" DESC))
               [1:{RECENT_GRADES_KEPT}] AS graded_at
    FROM replaced
    GROUP BY course_id, student_id
),
student_recent AS (
    INSERT INTO student_course_recent_grades AS r
        (course_id, student_id, task_ids, grades, graded_at)
    SELECT course_id, student_id, merged.*
    FROM recent_changes AS c
    CROSS JOIN LATERAL {_MERGED_RECENT.format(old="c", new="c")} AS merged
    ORDER BY course_id, student_id
    ON CONFLICT (course_id, student_id) DO UPDATE SET
        (task_ids, grades, graded_at) = {_MERGED_RECENT.format(old="r", new="excluded")}
),
changed_tasks AS (SELECT DISTINCT course_id, task_id FROM replaced)
SELECT (SELECT count(*) FROM course_inserted)
     + (SELECT count(*)
        FROM new_events AS r
        JOIN replaced AS c USING (student_id, course_id, task_id)
        WHERE (r.newer_arrival IS NULL OR r.newer_arrival > r.arrival)
          AND (c.superseded_event_id IS NULL  -- the slot's first grade
               OR (r.graded_at, r.accepted_at, r.event_id)
                  > (c.superseded_graded_at, c.superseded_accepted_at, c.superseded_event_id)))
       AS changed,
       {_CHANGED_TASKS}
"""



# The values at domain.distribution.quartile_ranks(count) of the task of the row `t` of
# course_task_tallies, from its grade values in order: the value at rank k (0-based) is the least
# whose count of values up to it (`upto`) exceeds k.
_LAST = "(t.count - 1)"
_RANKED = ",\n                     ".join(
    f"min(grade) FILTER (WHERE upto > {rank})"
    for rank in (
        "0",
        *(
            rank
            for quarters in (1, 2, 3)
            for lower in [f"{_LAST} * {quarters} / 4" if quarters > 1 else f"{_LAST} / 4"]
            for rank in (lower, f"least({lower} + 1, {_LAST})")
        ),
        _LAST,
    )
)
RANKED_OF_TASK = f"""CASE WHEN t.count > 0 THEN (
        SELECT ARRAY[{_RANKED}]
        FROM (
            SELECT grade,
                   sum(count::int) OVER (ORDER BY grade ROWS UNBOUNDED PRECEDING) AS upto
            FROM course_task_grade_values AS v
            WHERE v.course_id = t.course_id AND v.task_id = t.task_id AND v.count > 0
        ) AS valued
    ) END"""

# After the recording (or erasing) statement, in its transaction: the quartile values of the
# tasks it changed ($1 course ids, $2 task ids), from course_task_grade_values (an index-only scan
# of the task's distinct values, in order). Exact under concurrent writers: the recording
# statement locked the course_task_tallies row of each of these tasks (it upserts every task it
# changes), so another transaction with uncommitted changes to one has not refreshed it yet, and
# will after this one commits, seeing both.
REFRESH_RANKED = f"""
UPDATE course_task_tallies AS t
SET ranked = {RANKED_OF_TASK}
FROM unnest($1::text[], $2::text[]) AS k(course_id, task_id)
WHERE t.course_id = k.course_id AND t.task_id = k.task_id
"""

# After an erasure (which holds every writer back): the latest grades of the student ($1) in the
# courses ($2) whose current grades it removed, recomputed from what is left.
RECENT_OF_STUDENT = f"""
WITH recent AS (
    SELECT k.course_id, $1::uuid AS student_id,
           array_agg(l.task_id ORDER BY l.graded_at, l.task_id COLLATE "C") AS task_ids,
           array_agg(l.grade ORDER BY l.graded_at, l.task_id COLLATE "C") AS grades,
           array_agg(l.graded_at ORDER BY l.graded_at, l.task_id COLLATE "C") AS graded_at
    FROM unnest($2::text[]) AS k(course_id)
    CROSS JOIN LATERAL (
        SELECT task_id, grade, graded_at
        FROM current_task_grades AS c
        WHERE c.student_id = $1 AND c.course_id = k.course_id
        ORDER BY graded_at DESC, task_id COLLATE "C" DESC
        LIMIT {RECENT_GRADES_KEPT}
    ) AS l
    GROUP BY k.course_id
),
gone AS (
    DELETE FROM student_course_recent_grades AS r
    WHERE r.student_id = $1 AND r.course_id = ANY ($2::text[])
      AND NOT EXISTS (SELECT FROM recent WHERE recent.course_id = r.course_id)
)
UPDATE student_course_recent_grades AS r
SET task_ids = recent.task_ids, grades = recent.grades, graded_at = recent.graded_at
FROM recent
WHERE r.course_id = recent.course_id AND r.student_id = $1
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
course_tasks AS (
    UPDATE course_task_tallies AS t SET
        count = t.count - d.count, total = t.total - d.total, on_time = t.on_time - d.on_time,
        squares = t.squares - d.squares,
        histogram = {_histogram_plus("t.histogram", "-", "d.histogram")}
    FROM (
        SELECT course_id, task_id, count(*) AS count, sum(grade) AS total,
               sum(on_time) AS on_time, sum(grade * grade) AS squares, {_histogram_of("1")}
                   AS histogram
        FROM (SELECT *, {_BIN.format(grade="grade")} AS bin FROM current_removed) AS removed
        GROUP BY course_id, task_id
    ) AS d
    WHERE t.course_id = d.course_id AND t.task_id = d.task_id
),
grade_values AS (
    UPDATE course_task_grade_values AS t SET count = t.count - d.count
    FROM (
        SELECT course_id, task_id, grade, count(*) AS count
        FROM current_removed
        GROUP BY course_id, task_id, grade
    ) AS d
    WHERE t.course_id = d.course_id AND t.task_id = d.task_id AND t.grade = d.grade
),
changed_tasks AS (SELECT DISTINCT course_id, task_id FROM current_removed)
SELECT (SELECT count(*) FROM course_removed) + (SELECT count(*) FROM events_removed) AS changed,
       {_CHANGED_TASKS},
       ARRAY(SELECT DISTINCT course_id FROM current_removed) AS student_courses
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
