"""The field types of incoming events: strict ids and texts without control characters, RFC 3339
times with an offset, calendar days, and money as decimal strings (never JSON numbers).

Each type fails with a stable error code (`money-format`, `time-format`, ...) that the intake
turns into the field-level 422 a sender can act on.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from ledger import money

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _no_control(value: str) -> str:
    if CONTROL.search(value):
        raise PydanticCustomError("control-character", "control characters are not allowed")
    return value


def _moment(value: object) -> datetime:
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise PydanticCustomError("time-format", "expected RFC 3339 time with offset, "
                                  "e.g. 2026-09-01T14:03:00+00:00")
    try:
        return datetime.fromisoformat(value.upper())  # RFC 3339 allows a lowercase "t" and "z"
    except ValueError:  # shaped right, but no such moment: month 13, offset +24:00...
        raise PydanticCustomError("time-format", "not a real time") from None


def _day(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date-format", "expected a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date-format", "not a calendar date") from None
    return value


def _amount(value: object) -> Decimal:
    try:
        return money.parse(value)
    except money.MoneyFormatError as error:
        raise PydanticCustomError("money-format", str(error)) from None


def invalid(code: str, field: str, message: str) -> PydanticCustomError:
    """A model-level error that still names its field (`data.currency`, not `data.`)."""
    return PydanticCustomError(code, "{field}: {message}", {"field": field, "message": message})


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise PydanticCustomError("not-positive", "must be greater than zero")
    return value


Id = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200),
               AfterValidator(_no_control)]
Text = Annotated[str, StringConstraints(strict=True, max_length=2000), AfterValidator(_no_control)]
Name = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500),
                 AfterValidator(_no_control)]
Moment = Annotated[datetime, BeforeValidator(_moment)]
Day = Annotated[str, BeforeValidator(_day)]
Amount = Annotated[Decimal, BeforeValidator(_amount)]
Positive = Annotated[Decimal, BeforeValidator(_amount), AfterValidator(_positive)]
# `Strict()`, not `StrictInt`: an Annotated type nested as metadata is ignored, so "5" would pass.
Count = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
Quantity = Annotated[int, Strict(), Field(gt=0, le=1_000_000)]
# An ordering number; bounded because read models store it in a 64-bit column.
Rank = Annotated[int, Strict(), Field(ge=-1_000_000, le=1_000_000)]
