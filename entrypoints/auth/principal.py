import enum
import uuid
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, from a verified token: a ClassConnect user or another service."""

    subject: uuid.UUID | None
    role: Role
    courses: frozenset[str] = field(default_factory=frozenset)  # the courses a teacher teaches

    @property
    def may_write(self) -> bool:
        return self.role in (Role.SERVICE, Role.ADMIN)

    @property
    def reads_everything(self) -> bool:
        return self.role in (Role.SERVICE, Role.ADMIN)

    def may_read_course(self, course_id: str) -> bool:
        """Course-level statistics, with student ids."""
        return self.reads_everything or (self.role is Role.TEACHER and course_id in self.courses)

    def may_read_student(self, student_id: uuid.UUID, course_id: str | None = None) -> bool:
        """Statistics of one student: their own, or (in a course they teach) a teacher's."""
        if self.reads_everything or (self.role is Role.STUDENT and self.subject == student_id):
            return True
        return course_id is not None and self.may_read_course(course_id)

    @property
    def sees_peer_ids(self) -> bool:
        """Whether other students appear with their ids in lists of peers."""
        return self.role is not Role.STUDENT


# The caller when authentication is off (a local run on the loopback address).
LOCAL_ADMIN = Principal(subject=None, role=Role.ADMIN)
