"""Query strings as pydantic models (the parsers, and what the OpenAPI document is made of), and
the Idempotency-Key header.

A route declares its query model; `endpoints` validates the path parameters and the query string
together and builds the route's query object from them by field name. As with bodies, the
contract is exact: an unknown parameter is refused, and so is an empty value (`?group_by=`):
leave a parameter out for its default.
"""

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from aiohttp import web
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from application import queries as a
from domain.errors import InvalidInput
from domain.periods import DateWindow, GroupBy
from domain.values import parse_event_id

T = TypeVar("T")
_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f2b8c1e-3d4a-5b6c-8d9e-0a1b2c3d4e5f")
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"}


def _given(parse: Callable[[str], T]) -> Callable[[object], T]:
    """A query parameter's rule. An empty value (`?group_by=`) is no value: leave the parameter
    out for its default."""

    def read(raw: object) -> T:
        if raw == "":
            raise InvalidInput.one("query", "is empty: leave it out for the default")
        return parse(raw)  # type: ignore[arg-type]

    return read


def _date(field: str) -> Callable[[str], date]:
    def parse(raw: str) -> date:
        try:
            if len(raw) == 10:
                return date.fromisoformat(raw)
        except ValueError:
            pass
        raise InvalidInput.one(field, f"must be a date as YYYY-MM-DD, got {raw!r}")

    return parse


def _group_by(raw: str) -> GroupBy:
    try:
        return GroupBy(raw)
    except ValueError:
        choices = "|".join(g.value for g in GroupBy)
        raise InvalidInput.one("group_by", f"must be one of {choices}, got {raw!r}") from None


def _end_date(raw: object) -> date:
    end = _given(_date("end_date"))(raw)
    DateWindow(None, end)  # its own rule: the window has an end
    return end


def _start_date(raw: object, info: ValidationInfo) -> date:
    start = _given(_date("start_date"))(raw)
    DateWindow(start, info.data.get("end_date"))  # not after end_date, when that one is good
    return start


_DATE = {"type": "string", "format": "date"}
EndDate = Annotated[
    date | None,
    PlainValidator(_end_date),
    WithJsonSchema(
        {
            **_DATE,
            "not": {"const": date.max.isoformat()},
            "description": "YYYY-MM-DD, inclusive (UTC)",
        }
    ),
]
StartDate = Annotated[
    date | None,
    PlainValidator(_start_date),
    WithJsonSchema({**_DATE, "description": "YYYY-MM-DD, inclusive (UTC); not after end_date"}),
]
GroupByField = Annotated[
    GroupBy | None,
    PlainValidator(_given(_group_by)),
    WithJsonSchema(
        {
            "enum": [g.value for g in GroupBy],
            "description": "Bucket the series; without it one row, period `all_time`",
        }
    ),
]


class QueryString(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodQuery(QueryString):
    """The query string of a series over time."""

    end_date: EndDate = None  # before start_date, which is checked against it
    start_date: StartDate = None
    group_by: GroupByField = None

    @property
    def window(self) -> DateWindow:
        return DateWindow(self.start_date, self.end_date)


def _parameter(parse: Any, schema: dict[str, Any], description: str) -> tuple[Any, ...]:
    """A query parameter read by an application rule."""
    return PlainValidator(_given(parse)), WithJsonSchema({**schema, "description": description})


def _number(parse: Any) -> Any:
    """A numeral in a query string, exactly as a Decimal (1e-3 included), for `parse`'s bounds."""

    def read(raw: object) -> Any:
        if isinstance(raw, str) and raw.strip() == raw and raw not in {"", "+", "-"}:
            try:
                number = Decimal(raw)
            except ArithmeticError:
                pass
            else:
                if number.is_finite() and "_" not in raw:
                    raw = number
        return parse(raw)

    return read


def _order(raw: object, info: ValidationInfo) -> a.SortOrder:
    """The order given, else the sort's own (a bad sort is named by itself; its default here)."""
    if raw is not None:
        return _given(lambda given: a.parse_order(given, a.StudentSort.AVERAGE))(raw)
    return a.default_order(info.data.get("sort", a.StudentSort.AVERAGE))


def _enum_schema(choices: type) -> dict[str, Any]:
    return {"enum": [c.value for c in choices]}


class StudentsQuery(QueryString):
    """The query string of the students page."""

    sort: Annotated[
        a.StudentSort, *_parameter(a.parse_sort, _enum_schema(a.StudentSort), "Default: average")
    ] = a.StudentSort.AVERAGE
    order: Annotated[
        a.SortOrder,
        PlainValidator(_order),
        WithJsonSchema(
            {**_enum_schema(a.SortOrder),
             "description": "Default: asc for student_id, desc otherwise"}
        ),
    ] = Field(default=None, validate_default=True)
    limit: Annotated[
        int,
        *_parameter(
            a.parse_limit,
            {"type": "integer", "minimum": 1, "maximum": a.MAX_PAGE_SIZE},
            f"Default: {a.DEFAULT_PAGE_SIZE}",
        ),
    ] = a.DEFAULT_PAGE_SIZE
    cursor: Annotated[
        a.StudentsCursor | None,
        *_parameter(
            a.parse_cursor, {"type": "string", "minLength": 1}, "The previous page's next_cursor"
        ),
    ] = None

    @property
    def after(self) -> a.StudentsCursor | None:
        return self.cursor

    @model_validator(mode="after")
    def _cursor_matches(self) -> "StudentsQuery":
        if self.cursor is not None and (self.cursor.sort, self.cursor.order) != (
            self.sort, self.order
        ):
            raise InvalidInput.one(
                "cursor", "belongs to a listing with another sort or order; start again without it"
            )
        return self


class AtRiskQuery(QueryString):
    grade_below: Annotated[
        Decimal,
        *_parameter(
            _number(a.parse_grade_below), {"type": "number", "minimum": 0, "maximum": 10},
            f"Default: {a.DEFAULT_GRADE_BELOW}",
        ),
    ] = a.DEFAULT_GRADE_BELOW
    on_time_below: Annotated[
        Decimal,
        *_parameter(
            _number(a.parse_on_time_below), {"type": "number", "minimum": 0, "maximum": 100},
            f"Default: {a.DEFAULT_ON_TIME_BELOW}",
        ),
    ] = a.DEFAULT_ON_TIME_BELOW
    declining: Annotated[
        bool,
        *_parameter(
            lambda raw: a.parse_flag(raw, "declining", True), {"type": "boolean"},
            "Also flag the last three task grades each lower (default true)",
        ),
    ] = True


def idempotency_key(request: web.Request, body_event_id: uuid.UUID | None) -> uuid.UUID | None:
    """The event id a retried request keeps: the body's `event_id`, else the Idempotency-Key
    header (a UUID as it is, any other key of 1-255 characters mapped to a UUID)."""
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return body_event_id
    header = header.strip()
    if not 1 <= len(header) <= 255:
        raise InvalidInput.one("Idempotency-Key", "must be 1 to 255 characters")
    try:
        key = parse_event_id(header, "Idempotency-Key")
    except InvalidInput:
        key = uuid.uuid5(_IDEMPOTENCY_NAMESPACE, header)
    if body_event_id is not None and body_event_id != key:
        raise InvalidInput.one("event_id", "differs from the Idempotency-Key header")
    return key
