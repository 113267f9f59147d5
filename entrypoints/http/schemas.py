"""Request bodies as pydantic models: the shape of the JSON. Domain rules are checked after."""

import uuid
from typing import Annotated, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, Strict

from application.commands import SubmitCourseGrade, SubmitTaskGrade

StrictStr = Annotated[str, Strict()]


class CourseGradeBody(BaseModel):
    """A course-level grade. Unknown fields are ignored, as the old service did."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    student_id: StrictStr = Field(description="The student's UUID")
    course_id: StrictStr = Field(description="1-64 letters, digits, '-' or '_'")
    grade: float = Field(strict=True, allow_inf_nan=False, description="A number from 0 to 10")
    on_time: bool = Field(default=True, strict=True)
    graded_at: Annotated[AwareDatetime, Strict()] | None = Field(
        default=None,
        validation_alias=AliasChoices("graded_at", "created_at"),
        description="RFC 3339 with an offset; `created_at` is accepted too. Default: now.",
    )
    event_id: uuid.UUID | None = Field(
        default=None, description="Makes a retried request count once"
    )

    def to_command(self, event_id: uuid.UUID | None) -> SubmitCourseGrade:
        return SubmitCourseGrade(
            student_id=self.student_id,
            course_id=self.course_id,
            grade=self.grade,
            on_time=self.on_time,
            graded_at=self.graded_at,
            event_id=event_id,
        )


class TaskGradeBody(CourseGradeBody):
    task_id: StrictStr = Field(description="1-64 letters, digits, '-' or '_'")

    def to_command(self, event_id: uuid.UUID | None) -> SubmitTaskGrade:  # type: ignore[override]
        return SubmitTaskGrade(
            student_id=self.student_id,
            course_id=self.course_id,
            task_id=self.task_id,
            grade=self.grade,
            on_time=self.on_time,
            graded_at=self.graded_at,
            event_id=event_id,
        )


class CourseGradeItem(CourseGradeBody):
    kind: Literal["course_grade"]


class TaskGradeItem(TaskGradeBody):
    kind: Literal["task_grade"]


class GradeBatchBody(BaseModel):
    """Documents the batch body; it is checked event by event (`SubmitGradeBatchHandler`)."""

    events: list[Annotated[CourseGradeItem | TaskGradeItem, Field(discriminator="kind")]] = (
        Field(min_length=1, max_length=10_000)
    )
