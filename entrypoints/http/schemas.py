"""What the API accepts, as pydantic models that are at once the parsers and the documentation.

Every field is an `Annotated` type that runs the domain's own rule (`domain.values`) on the raw
JSON value, so the rule and its message live in one place, and states in its JSON schema exactly
what that rule accepts; the OpenAPI document is generated from these models. Validating a body
yields the typed command (`to_command`); a `pydantic.ValidationError` names every bad field at
once and becomes a problem document (`problems.problem_for`, in the request middleware).

Bodies are strict: an unknown field is refused (a typo like `on_tme` never falls back to the
default), and so are `graded_at` and its older name `created_at` given together. Grades are
read from the JSON text exactly (`bodies.decode`: never through a float) and have at most
`GRADE_PLACES` decimal places; more are refused, not rounded.

"Now" comes in the validation context (`{"now": ...}`): a grade's time may not be more than
five minutes after it. Without a context only the moment's form is checked.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
)

from application.commands import SubmitCourseGrade, SubmitTaskGrade
from domain.values import (
    FUTURE_TOLERANCE,
    GRADE_PLACES,
    ID_PATTERN,
    MAX_GRADE,
    MIN_GRADE,
    CourseId,
    StudentId,
    TaskId,
    parse_course_id,
    parse_event_id,
    parse_grade,
    parse_graded_at,
    parse_moment,
    parse_on_time,
    parse_student_id,
    parse_task_id,
)

T = TypeVar("T")
MAX_BATCH_SIZE = 10_000


def rule(parse: Callable[[object], T], schema: dict[str, Any]) -> tuple[Any, ...]:
    """A domain rule as a field's validator, with the JSON schema that says what it accepts.

    The rule sees the raw value and raises InvalidInput (a ValueError) with its message, which
    `problems.field_errors` reports under the field's name."""
    return PlainValidator(lambda raw: parse(raw)), WithJsonSchema(schema)


def _graded_at(raw: object, info: ValidationInfo) -> datetime:
    now = info.context.get("now") if info.context else None
    return parse_moment(raw) if now is None else parse_graded_at(raw, now)


UUID_SCHEMA = {"type": "string", "format": "uuid"}
ID_SCHEMA = {"type": "string", "pattern": f"^{ID_PATTERN}$",
             "description": "1-64 letters, digits, '-' or '_'"}

StudentIdField = Annotated[
    StudentId,
    *rule(parse_student_id, {**UUID_SCHEMA, "description": "The student's UUID"}),
]
EventIdField = Annotated[
    StudentId,
    *rule(parse_event_id, {**UUID_SCHEMA, "description": "Makes a retried request count once"}),
]
CourseIdField = Annotated[CourseId, *rule(parse_course_id, ID_SCHEMA)]
TaskIdField = Annotated[TaskId, *rule(parse_task_id, ID_SCHEMA)]
# A Redis stream entry id, as dead letters are named.
STREAM_ID_PATTERN = r"^[0-9]{1,19}-[0-9]{1,19}$"
DeadLetterIdField = Annotated[
    str, StringConstraints(pattern=STREAM_ID_PATTERN),
    Field(description="A dead letter's id (a stream entry id, e.g. 1765000000000-0)"),
]
GradeField = Annotated[
    Decimal,
    *rule(
        parse_grade,
        {
            "type": "number",
            "minimum": int(MIN_GRADE),
            "maximum": int(MAX_GRADE),
            "multipleOf": float(Decimal(1).scaleb(-GRADE_PLACES)),
            "description": f"From {MIN_GRADE} to {MAX_GRADE} with at most {GRADE_PLACES} decimal "
            "places, read exactly as written; more places are refused, not rounded",
        },
    ),
]
OnTimeField = Annotated[bool, *rule(parse_on_time, {"type": "boolean"})]
_MOMENT_SCHEMA = {"type": "string", "format": "date-time"}
GradedAtField = Annotated[
    datetime,
    PlainValidator(_graded_at),
    WithJsonSchema(
        {
            **_MOMENT_SCHEMA,
            "description": "RFC 3339 with an offset, not more than "
            f"{int(FUTURE_TOLERANCE.total_seconds()) // 60} minutes in the future, within years "
            "1 to 9999 in UTC; `created_at` is another name for it (give one of the two). "
            "Default: now",
        }
    ),
]


def _document_created_at(schema: dict[str, Any]) -> None:
    """`created_at`, accepted in place of `graded_at` (AliasChoices documents only the first)."""
    properties = schema["properties"]
    properties["created_at"] = {**properties["graded_at"], "description": "= graded_at"}
    schema["not"] = {"required": ["graded_at", "created_at"]}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Ids(_Body):
    student_id: StudentIdField
    course_id: CourseIdField


class _TaskIds(_Ids):
    task_id: TaskIdField


class _Measure(_Body):
    model_config = ConfigDict(json_schema_extra=_document_created_at)

    grade: GradeField
    on_time: OnTimeField = True
    graded_at: GradedAtField | None = Field(
        default=None, validation_alias=AliasChoices("graded_at", "created_at")
    )
    event_id: EventIdField | None = None


# (the ids first: pydantic orders fields from the last base to the first)
class CourseGradeBody(_Measure, _Ids):
    """A course-level grade."""

    def to_command(self) -> SubmitCourseGrade:
        return SubmitCourseGrade(
            self.student_id, self.course_id, self.grade, self.on_time, self.graded_at,
            self.event_id,
        )


class TaskGradeBody(_Measure, _TaskIds):
    """A task grade."""

    def to_command(self) -> SubmitTaskGrade:
        return SubmitTaskGrade(
            self.student_id, self.course_id, self.task_id, self.grade, self.on_time,
            self.graded_at, self.event_id,
        )


class CourseGradeItem(CourseGradeBody):
    kind: Literal["course_grade"]


class TaskGradeItem(TaskGradeBody):
    kind: Literal["task_grade"]


GradeItem = Annotated[CourseGradeItem | TaskGradeItem, Field(discriminator="kind")]
GRADE_ITEM: TypeAdapter[CourseGradeItem | TaskGradeItem] = TypeAdapter(GradeItem)


class GradeBatchBody(BaseModel):
    """Up to 10,000 grades, each with its `kind`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[GradeItem] = Field(min_length=1, max_length=MAX_BATCH_SIZE)
