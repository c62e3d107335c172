"""What senders may send: the CloudEvent envelope, checked strictly, then the type's `data`
(`ledger/schemas.py`), with every invalid field named.

A field that is missing, of the wrong JSON type, or a sum that does not add up makes the event
invalid on its own (the API's 422). Money arrives as strings and becomes `Decimal`; ints and bools
are strict, so `"5"` is not a quantity and `5` is not an amount.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ledger import money
from ledger.errors import InvalidEvent
from ledger.fields import CONTROL, Day, Id, Moment, invalid
from ledger.schemas import CATALOGUE, RATE_FIELDS, Data


class Envelope(BaseModel):
    """The CloudEvents 1.0 attributes Confledger reads; other extension attributes are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"]
    id: Id
    source: Id
    type: Annotated[str, StringConstraints(strict=True, max_length=100)]
    time: Moment
    data: dict[str, Any]
    correctsperiod: Day | None = None

    @model_validator(mode="after")
    def _known_type(self) -> Envelope:
        if self.type not in CATALOGUE:
            raise PydanticCustomError("unknown-type", "{message}",
                                      {"field": "type",
                                       "message": "not an event type of the catalogue"})
        return self

    @model_validator(mode="after")
    def _scalar_extensions(self) -> Envelope:
        for name, value in (self.model_extra or {}).items():
            if not _is_extension_value(value):
                raise invalid("invalid-extension", name, "an extension attribute is a string "
                               "(at most 2000 characters, no control characters), an integer "
                               "or a boolean")
        return self


def _is_extension_value(value: object) -> bool:
    """A CloudEvents 1.0 extension value in JSON: string, 32-bit integer, boolean (or null)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -2**31 <= value < 2**31
    if not isinstance(value, str) or len(value) > 2000 or CONTROL.search(value):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate: valid in JSON, not storable as text
        return False
    return True


class Incoming(BaseModel):
    """One parsed event of a batch: its envelope, typed data and content digest."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    index: int
    envelope: Envelope
    data: Data
    digest: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.envelope.source, self.envelope.id)


class BadEvent(Exception):
    """Raised when an incoming event is malformed; carries one error per bad field."""

    def __init__(self, errors: list[InvalidEvent]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def digest(conference: str, raw: dict[str, Any]) -> str:
    """SHA-256 of the event's content (everything it says, for this conference): its JSON with
    sorted keys, compact, in UTF-8.

    orjson writes those bytes exactly as `json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` does for everything a valid event holds (strings, integers of 64 bits,
    booleans, null; never a float), three times faster. What it refuses to write (a larger
    integer, a lone surrogate) goes through `json` as it always did."""
    try:
        body = orjson.dumps([conference, raw], option=orjson.OPT_SORT_KEYS)
    except TypeError:
        body = json.dumps([conference, raw], sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()
    return hashlib.sha256(body).hexdigest()


def parse(conference: str, index: int, raw: object) -> Incoming:
    """Validate one raw CloudEvent; raise BadEvent naming every invalid field."""
    if not isinstance(raw, dict):
        raise BadEvent([InvalidEvent("each event must be a JSON object", field="", code="type")])
    try:
        envelope = Envelope.model_validate(raw)
        data = CATALOGUE[envelope.type].model_validate(envelope.data)
    except ValidationError as error:
        prefix = "data." if "envelope" in locals() else ""
        raise BadEvent(_errors(error, prefix)) from None
    return Incoming(index=index, envelope=envelope, data=data, digest=digest(conference, raw))


def _errors(error: ValidationError, prefix: str) -> list[InvalidEvent]:
    found = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        location = [str(part) for part in item["loc"]]
        if "field" in ctx:
            location.append(str(ctx["field"]))
        message = str(ctx.get("message", item["msg"]))
        found.append(InvalidEvent(message, field=prefix + ".".join(location),
                                  code=_CODES.get(item["type"], item["type"].replace("_", "-"))))
    return found


_CODES = {"missing": "required", "extra_forbidden": "unknown-field", "literal_error": "not-allowed",
          "string_type": "not-a-string", "int_type": "not-an-integer", "bool_type": "not-a-boolean",
          "dict_type": "not-an-object", "list_type": "not-a-list", "model_type": "not-an-object",
          "string_too_long": "too-long", "string_too_short": "empty"}


def check_money_precision(incoming: Incoming, currency: str) -> list[InvalidEvent]:
    """Every amount the sender sent must have at most the currency's minor digits.

    Defaults the sender left out (card_fee_fixed "0.30") are not held to it: they are ours."""
    return [InvalidEvent(f"{value} has more decimals than {currency} allows",
                         field=f"data.{path}", code="too-many-decimals")
            for path, value in _decimals(incoming.data.model_dump(exclude_unset=True))
            if path.split(".")[-1] not in RATE_FIELDS and not money.fits(value, currency)
            and not _is_percentage(incoming.data, path)]


def _is_percentage(data: Data, path: str) -> bool:
    kind = getattr(data, "voucher_type", None) or getattr(data, "discount_type", None)
    return path == "discount_value" and kind == "percentage"


def _decimals(value: Any, path: str = "") -> list[tuple[str, Decimal]]:
    if isinstance(value, Decimal):
        return [(path, value)]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _decimals(v, f"{path}.{k}".lstrip("."))]
    if isinstance(value, list):
        return [x for n, v in enumerate(value) for x in _decimals(v, f"{path}.{n}")]
    return []
