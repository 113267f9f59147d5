"""Inputs in the unit suite as the API reads them: grades by the API's request models (the domain's
rules, every bad field named), handed to the SubmitGradesHandler use case at one "now"; a route's path
and query parameters by that route's own reader."""

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime

import pydantic

from application.commands import SubmitGrade, SubmitTaskGrade
from application.handlers.submit_grades import SubmitGradesHandler
from application.queries import FindAtRiskStudents, ListCourseStudents
from domain.errors import FieldError, InvalidInput
from entrypoints.http.problems import field_errors
from entrypoints.http.routes import all_endpoints
from entrypoints.http.schemas import CourseGradeBody, GradeBatchBody, TaskGradeBody


def read_command(command: SubmitGrade, now: datetime) -> SubmitGrade:
    """A command whose values may be raw (a str id, a float grade), read as a body with them."""
    body = TaskGradeBody if isinstance(command, SubmitTaskGrade) else CourseGradeBody
    fields = {k: v for k, v in dataclasses.asdict(command).items()
              if v is not None or k == "on_time"}
    return body.model_validate(fields, context={"now": now}).to_command()


async def submit_read(
    submit: SubmitGradesHandler, commands: Sequence[SubmitGrade], now: datetime, prefix: str = ""
) -> list[uuid.UUID]:
    """Read every command, then submit them all or raise one InvalidInput naming every bad
    field (`events[3].grade` with `prefix="events"`)."""
    typed: list[SubmitGrade] = []
    errors: list[FieldError] = []
    for index, command in enumerate(commands):
        try:
            typed.append(read_command(command, now))
        except pydantic.ValidationError as invalid:
            where = f"{prefix}[{index}]." if prefix else ""
            errors += [FieldError(where + e.field, e.message) for e in field_errors(invalid)]
    if errors:
        raise InvalidInput(errors)
    return (await submit(typed, now)).event_ids


async def submit_batch(submit: SubmitGradesHandler, body: object, now: datetime) -> list[uuid.UUID]:
    """A batch body (decoded JSON) as POST /stats/grades/batch reads it."""
    try:
        batch = GradeBatchBody.model_validate(body, context={"now": now})
    except pydantic.ValidationError as invalid:
        raise InvalidInput(field_errors(invalid)) from None
    return (await submit([event.to_command() for event in batch.events], now)).event_ids




def route_input(operation_id: str, **parameters: object) -> object:
    """What the route's handler is called with for these path and query parameters, or one
    InvalidInput naming every bad one."""
    [endpoint] = [e for e in all_endpoints() if e.operation_id == operation_id]
    assert endpoint.read_input is not None
    try:
        return endpoint.read_input(parameters)  # type: ignore[arg-type]
    except pydantic.ValidationError as invalid:
        raise InvalidInput(field_errors(invalid)) from None


def students_query(course_id: object, **parameters: object) -> ListCourseStudents:
    query = route_input("course_students", course_id=course_id, **parameters)
    assert isinstance(query, ListCourseStudents)
    return query


def at_risk_query(course_id: object, **parameters: object) -> FindAtRiskStudents:
    query = route_input("course_at_risk", course_id=course_id, **parameters)
    assert isinstance(query, FindAtRiskStudents)
    return query
