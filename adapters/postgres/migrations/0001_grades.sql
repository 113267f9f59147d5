-- Course grades are append-only: every distinct event counts once.
CREATE TABLE course_grades (
    event_id    uuid          PRIMARY KEY,
    student_id  uuid          NOT NULL,
    course_id   text          NOT NULL,
    grade       numeric       NOT NULL CHECK (grade BETWEEN 0 AND 10),
    on_time     boolean       NOT NULL,
    graded_at   timestamptz   NOT NULL,
    accepted_at timestamptz   NOT NULL
);

-- course_grade_series by course (the course average) and by student (+ course) (the student
-- average and the student's course summary), each over a graded_at window.
CREATE INDEX course_grades_by_course ON course_grades (course_id, graded_at);
CREATE INDEX course_grades_by_student ON course_grades (student_id, course_id, graded_at);

-- Every task-grade event ever accepted: what makes recording idempotent, and the history a
-- slot's current grade can be rebuilt from.
CREATE TABLE task_grade_events (
    event_id    uuid          PRIMARY KEY,
    student_id  uuid          NOT NULL,
    course_id   text          NOT NULL,
    task_id     text          NOT NULL,
    grade       numeric       NOT NULL CHECK (grade BETWEEN 0 AND 10),
    on_time     boolean       NOT NULL,
    graded_at   timestamptz   NOT NULL,
    accepted_at timestamptz   NOT NULL
);

-- The current grade of each (student, course, task): the event with the greatest
-- (graded_at, accepted_at, event_id). `superseded_*` is the recency of the grade this one
-- replaced (null for a slot's first grade); the store counts its changes from it, because an
-- upsert cannot return the row it overwrote.
CREATE TABLE current_task_grades (
    student_id             uuid          NOT NULL,
    course_id              text          NOT NULL,
    task_id                text          NOT NULL,
    event_id               uuid          NOT NULL,
    grade                  numeric       NOT NULL CHECK (grade BETWEEN 0 AND 10),
    on_time                boolean       NOT NULL,
    graded_at              timestamptz   NOT NULL,
    accepted_at            timestamptz   NOT NULL,
    superseded_graded_at   timestamptz,
    superseded_accepted_at timestamptz,
    superseded_event_id    uuid,
    PRIMARY KEY (student_id, course_id, task_id)
);

-- The primary key serves one student's grades in a course (summary, on-time series by student).
-- task_tallies_by_student (course) and task_tallies_for_task (course, task):
CREATE INDEX current_task_grades_by_task ON current_task_grades (course_id, task_id);
-- on_time_series for a whole course over a graded_at window:
CREATE INDEX current_task_grades_by_course_time ON current_task_grades (course_id, graded_at);
