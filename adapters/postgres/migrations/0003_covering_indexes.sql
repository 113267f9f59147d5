-- The course-wide reads of the statistics tables become index-only scans: a course's rows lie
-- together in these indexes but are scattered over the tables' pages (they are written in the
-- order grades arrive), so once the tables outgrow the cache, reading them through the table
-- cost one page per row (measured on 10M grades: 60 pages for a course's 500 student-days,
-- 8 through this index). VACUUM (autovacuum) marks the pages that the scans may then skip.

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
