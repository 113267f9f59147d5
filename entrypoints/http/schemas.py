"""Request bodies as pydantic models: they document the JSON (the OpenAPI document is made of
them). The bodies themselves are checked by the domain's rules, every field at once
(`command_from_mapping`, for a single grade as for a batch event), not by these models."""

import uuid
from typing import Annotated, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field


class CourseGradeBody(BaseModel):
    """A course-level grade. Unknown fields are ignored, as the old service did."""

    model_config = ConfigDict(extra="ignore", frozen=True)

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


class TaskGradeBody(CourseGradeBody):
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
