from typing import Protocol

from domain.values import CourseId, StudentId


class Pseudonyms(Protocol):
    def alias(self, course_id: CourseId, student_id: StudentId) -> str:
        """A stable alias of the student within the course that reveals nothing of their id and
        is not a UUID; the same student has unrelated aliases in different courses."""
        ...
