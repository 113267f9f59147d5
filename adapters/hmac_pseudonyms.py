"""Per-course aliases of students: an HMAC of (course, student) under a secret key, so an alias
is stable wherever the key is the same and reveals nothing without it."""

import base64
import hashlib
import hmac

from domain.values import CourseId, StudentId


class HmacPseudonyms:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def alias(self, course_id: CourseId, student_id: StudentId) -> str:
        digest = hmac.new(self._key, f"{course_id}\0{student_id}".encode(), hashlib.sha256)
        return "peer-" + base64.b32encode(digest.digest()[:10]).decode().lower()
