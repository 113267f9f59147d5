"""Request bodies as pydantic models: they document the JSON (the OpenAPI document is made of
them). A grade body is read by `checked`, every field at once by the domain's rules, as a batch
event is (`command_from_mapping`): both name every bad field, with the same messages."""

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field

from application.commands import SubmitGrade
from application.handlers.submit_grades import command_from_mapping
from domain.errors import InvalidInput


@dataclasses.dataclass(frozen=True, slots=True)
class CheckedGrade:
    """A grade body that passed every check, as the command it stands for."""

    command: SubmitGrade

    @property
    def event_id(self) -> uuid.UUID | None:
        return self.command.event_id

    def to_command(self, event_id: uuid.UUID | None) -> SubmitGrade:
        return dataclasses.replace(self.command, event_id=event_id)


class CourseGradeBody(BaseModel):
    """A course-level grade. Unknown fields are ignored, as the old service did."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    KIND: ClassVar[str] = "course_grade"

    student_id: str = Field(description="The student's UUID")
    course_id: str = Field(description="1-64 letters, digits, '-' or '_'")
    grade: float = Field(description="A number from 0 to 10")
    on_time: bool = Field(default=True)
    graded_at: AwareDatetime | None = Field(
        default=None,
        validation_alias=AliasChoices("graded_at", "created_at"),
        description="RFC 3339 with an offset; `created_at` is accepted too. Default: now.",
    )
    event_id: uuid.UUID | None = Field(
        default=None, description="Makes a retried request count once"
    )

    @classmethod
    def checked(cls, value: object, now: datetime) -> CheckedGrade:
        """A body of decoded JSON, every field checked against `now`; raises InvalidInput
        naming each bad one."""
        if not isinstance(value, Mapping):
            raise InvalidInput.one("body", "must be a JSON object")
        return CheckedGrade(command_from_mapping(value, now, cls.KIND))


class TaskGradeBody(CourseGradeBody):
    KIND: ClassVar[str] = "task_grade"

    task_id: str = Field(description="1-64 letters, digits, '-' or '_'")


class CourseGradeItem(CourseGradeBody):
    kind: Literal["course_grade"]


class TaskGradeItem(TaskGradeBody):
    kind: Literal["task_grade"]


class GradeBatchBody(BaseModel):
    """Documents the batch body; it is checked event by event (`SubmitGradeBatchHandler`)."""

    events: list[Annotated[CourseGradeItem | TaskGradeItem, Field(discriminator="kind")]] = (
        Field(min_length=1, max_length=10_000)
    )
