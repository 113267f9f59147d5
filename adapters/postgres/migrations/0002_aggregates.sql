-- Statistics kept up to date in the transaction that records the events, so that a read costs
-- the same whatever the number of grades. Every tally is (count, exact numeric total, on-time
-- count). A row whose tallies are all zero means the same as no row: readers skip it and
-- `verify` ignores it (a regrade that moves a grade to another day leaves such a row behind).

-- A slot's replaced grade, next to the recency already kept: what the store subtracts.
ALTER TABLE current_task_grades
    ADD COLUMN superseded_grade   numeric,
    ADD COLUMN superseded_on_time boolean;

-- Tombstones: grades of the student accepted up to `erased_up_to` are ignored from now on.
CREATE TABLE student_erasures (
    student_id   uuid        PRIMARY KEY,
    erased_up_to timestamptz NOT NULL
);

-- Per (student, course): course-level grades and current task grades. Serves the student's
-- course summary (primary key) and the task comparison of a course (by_course).
CREATE TABLE student_course_tallies (
    student_id     uuid    NOT NULL,
    course_id      text    NOT NULL,
    course_count   bigint  NOT NULL DEFAULT 0,
    course_total   numeric NOT NULL DEFAULT 0,
    course_on_time bigint  NOT NULL DEFAULT 0,
    task_count     bigint  NOT NULL DEFAULT 0,
    task_total     numeric NOT NULL DEFAULT 0,
    task_on_time   bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (student_id, course_id)
);
CREATE INDEX student_course_tallies_by_course ON student_course_tallies (course_id);

-- Course-level grades per (student, course, UTC day of graded_at): the student's average over
-- any window and grouping (primary key), and how many students a course had in a window
-- (by_course).
CREATE TABLE student_course_grade_days (
    student_id uuid    NOT NULL,
    course_id  text    NOT NULL,
    day        date    NOT NULL,
    count      bigint  NOT NULL,
    total      numeric NOT NULL,
    on_time    bigint  NOT NULL,
    PRIMARY KEY (student_id, course_id, day)
);
CREATE INDEX student_course_grade_days_by_course
    ON student_course_grade_days (course_id, day, student_id);

-- Course-level grades per (course, UTC day): the course average over any window and grouping.
CREATE TABLE course_grade_days (
    course_id text    NOT NULL,
    day       date    NOT NULL,
    count     bigint  NOT NULL,
    total     numeric NOT NULL,
    on_time   bigint  NOT NULL,
    PRIMARY KEY (course_id, day)
);

-- Current task grades per (course, UTC day of graded_at): the course's on-time series.
CREATE TABLE course_task_grade_days (
    course_id text    NOT NULL,
    day       date    NOT NULL,
    count     bigint  NOT NULL,
    total     numeric NOT NULL,
    on_time   bigint  NOT NULL,
    PRIMARY KEY (course_id, day)
);

-- Current task grades per (course, task).
CREATE TABLE course_task_tallies (
    course_id text    NOT NULL,
    task_id   text    NOT NULL,
    count     bigint  NOT NULL,
    total     numeric NOT NULL,
    on_time   bigint  NOT NULL,
    PRIMARY KEY (course_id, task_id)
);

-- Erasure finds a student's task events through this (and course grades through
-- course_grades_by_student).
CREATE INDEX task_grade_events_by_student ON task_grade_events (student_id);
-- The course's on-time series reads course_task_grade_days; one student's reads the primary key.
DROP INDEX current_task_grades_by_course_time;

-- Backfill from what is already recorded.
INSERT INTO student_course_tallies
    (student_id, course_id, course_count, course_total, course_on_time,
     task_count, task_total, task_on_time)
SELECT student_id, course_id, sum(cc), sum(ct), sum(co), sum(tc), sum(tt), sum(tn)
FROM (
    SELECT student_id, course_id, 1 AS cc, grade AS ct, on_time::int AS co,
           0 AS tc, 0 AS tt, 0 AS tn
    FROM course_grades
    UNION ALL
    SELECT student_id, course_id, 0, 0, 0, 1, grade, on_time::int
    FROM current_task_grades
) AS grades
GROUP BY student_id, course_id;

INSERT INTO student_course_grade_days (student_id, course_id, day, count, total, on_time)
SELECT student_id, course_id, (graded_at AT TIME ZONE 'UTC')::date,
       count(*), sum(grade), count(*) FILTER (WHERE on_time)
FROM course_grades
GROUP BY 1, 2, 3;

INSERT INTO course_grade_days (course_id, day, count, total, on_time)
SELECT course_id, (graded_at AT TIME ZONE 'UTC')::date,
       count(*), sum(grade), count(*) FILTER (WHERE on_time)
FROM course_grades
GROUP BY 1, 2;

INSERT INTO course_task_grade_days (course_id, day, count, total, on_time)
SELECT course_id, (graded_at AT TIME ZONE 'UTC')::date,
       count(*), sum(grade), count(*) FILTER (WHERE on_time)
FROM current_task_grades
GROUP BY 1, 2;

INSERT INTO course_task_tallies (course_id, task_id, count, total, on_time)
SELECT course_id, task_id, count(*), sum(grade), count(*) FILTER (WHERE on_time)
FROM current_task_grades
GROUP BY 1, 2;
