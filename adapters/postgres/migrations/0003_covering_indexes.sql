-- The course-wide reads become index-only scans. A course's rows lie together in these indexes
-- but are scattered over the tables' pages (rows are written in the order grades arrive), so once
-- the tables outgrow the cache, reading through the table cost about one page per row: on 10M
-- grades, 60 pages for a course's 500 student-days and 3,900 for its 4,545 current task grades;
-- 8 and 48 through these indexes. VACUUM (autovacuum) marks the table pages whose rows every
-- transaction sees, which the scans then skip. Each index is rebuilt under a lock that holds
-- writes back for its build (seconds per million rows).

-- The students of a course with a course grade in a window (course average): `count` filters.
DROP INDEX student_course_grade_days_by_course;
CREATE INDEX student_course_grade_days_by_course
    ON student_course_grade_days (course_id, day, student_id) INCLUDE (count);

-- A course's students and their tallies (task comparison, standings, distribution, at-risk,
-- the student's standing in each of their courses), in student order.
DROP INDEX student_course_tallies_by_course;
CREATE INDEX student_course_tallies_by_course
    ON student_course_tallies (course_id, student_id)
    INCLUDE (course_count, course_total, course_on_time, task_count, task_total, task_on_time);

-- A course's current task grades (task spreads, at-risk, a task's averages).
DROP INDEX current_task_grades_by_task;
CREATE INDEX current_task_grades_by_task
    ON current_task_grades (course_id, task_id) INCLUDE (student_id, grade, on_time, graded_at);
