-- Read models for the course-wide analytics, kept exact in the transaction that records a grade,
-- so that a course's task spreads and its students at risk read a row per task or per student
-- instead of every current grade of the course.

-- How many current grades of each (course, task) have each exact grade value: a grade has at most
-- 4 decimals between 0 and 10, so a task has at most 100,001 values and in practice a few dozen.
-- Every order statistic of the task (minimum, quartiles, median, maximum), its sums and its
-- histogram follow exactly from these counts. A row with count 0 means no row (a regrade leaves
-- one behind). Numeric equality keys it: 7.5 and 7.50 are one value.
CREATE TABLE course_task_grade_values (
    course_id text    NOT NULL,
    task_id   text    NOT NULL,
    grade     numeric NOT NULL,
    count     bigint  NOT NULL,
    -- a task's values in order without visiting the table (index-only)
    PRIMARY KEY (course_id, task_id, grade) INCLUDE (count)
);

-- The spread of each (course, task), derived from course_task_grade_values whenever a grade of
-- the task changes: the exact sum of squares, the counts of the bins [0,1) ... [8,9), [9,10], and
-- the values at domain.distribution.quartile_ranks(count) (null while count is 0).
ALTER TABLE course_task_tallies
    ADD COLUMN squares   numeric  NOT NULL DEFAULT 0,
    ADD COLUMN histogram bigint[] NOT NULL DEFAULT '{0,0,0,0,0,0,0,0,0,0}',
    ADD COLUMN ranked    numeric[];

-- The latest current task grades of each (course, student) with any, oldest first (by graded_at,
-- then task id in code-point order), at most 3: the at-risk search's declining run and the
-- recent grades it shows.
CREATE TABLE student_course_recent_grades (
    course_id  text          NOT NULL,
    student_id uuid          NOT NULL,
    task_ids   text[]        NOT NULL,
    grades     numeric[]     NOT NULL,
    graded_at  timestamptz[] NOT NULL,
    PRIMARY KEY (course_id, student_id)
);

-- Each student's task average in a course rounded half up to whole cents, as
-- domain.statistics.average_cents: floor(total / count * 100 + 1/2), and div() truncates the
-- exact quotient; null without a task grade. Computed by the database with every change of the
-- tallies, and held in the index by course, so that a student's rank and percentile in a course
-- compare integers in the index rather than multiply every student's exact sums.
ALTER TABLE student_course_tallies
    ADD COLUMN task_average_cents bigint GENERATED ALWAYS AS (
        CASE WHEN task_count > 0 THEN div(200 * task_total + task_count, 2 * task_count)::bigint END
    ) STORED;
DROP INDEX student_course_tallies_by_course;
CREATE INDEX student_course_tallies_by_course
    ON student_course_tallies (course_id, student_id)
    INCLUDE (course_count, course_total, course_on_time, task_count, task_total, task_on_time,
             task_average_cents);

-- Backfill from what is already recorded.
INSERT INTO course_task_grade_values (course_id, task_id, grade, count)
SELECT course_id, task_id, grade, count(*)
FROM current_task_grades
GROUP BY 1, 2, 3;

UPDATE course_task_tallies AS t
SET squares = s.squares, histogram = s.histogram, ranked = s.ranked
FROM (
    SELECT course_id, task_id, sum(grade * grade * count) AS squares,
           ARRAY[coalesce(sum(count) FILTER (WHERE grade < 1), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 1 AND grade < 2), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 2 AND grade < 3), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 3 AND grade < 4), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 4 AND grade < 5), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 5 AND grade < 6), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 6 AND grade < 7), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 7 AND grade < 8), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 8 AND grade < 9), 0),
                 coalesce(sum(count) FILTER (WHERE grade >= 9), 0)]::bigint[] AS histogram,
           ARRAY[min(grade) FILTER (WHERE upto > 0),
                 min(grade) FILTER (WHERE upto > div(last, 4)),
                 min(grade) FILTER (WHERE upto > least(div(last, 4) + 1, last)),
                 min(grade) FILTER (WHERE upto > div(last * 2, 4)),
                 min(grade) FILTER (WHERE upto > least(div(last * 2, 4) + 1, last)),
                 min(grade) FILTER (WHERE upto > div(last * 3, 4)),
                 min(grade) FILTER (WHERE upto > least(div(last * 3, 4) + 1, last)),
                 min(grade) FILTER (WHERE upto > last)] AS ranked
    FROM (
        SELECT course_id, task_id, grade, count,
               sum(count) OVER (PARTITION BY course_id, task_id ORDER BY grade) AS upto,
               sum(count) OVER (PARTITION BY course_id, task_id) - 1 AS last
        FROM course_task_grade_values
    ) AS valued
    GROUP BY course_id, task_id
) AS s
WHERE t.course_id = s.course_id AND t.task_id = s.task_id;

INSERT INTO student_course_recent_grades (course_id, student_id, task_ids, grades, graded_at)
SELECT course_id, student_id,
       array_agg(task_id ORDER BY graded_at, task_id COLLATE "C"),
       array_agg(grade ORDER BY graded_at, task_id COLLATE "C"),
       array_agg(graded_at ORDER BY graded_at, task_id COLLATE "C")
FROM (
    SELECT course_id, student_id, task_id, grade, graded_at,
           row_number() OVER (PARTITION BY course_id, student_id
                              ORDER BY graded_at DESC, task_id COLLATE "C" DESC) AS recency
    FROM current_task_grades
) AS numbered
WHERE recency <= 3
GROUP BY course_id, student_id;
