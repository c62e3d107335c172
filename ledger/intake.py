"""What senders may send: the CloudEvent envelope and each catalogue type's `data`, strictly.

A field that is missing, of the wrong JSON type, or a sum that does not add up makes the event
invalid on its own (the API's 422). Money arrives as strings and becomes `Decimal`; ints and bools
are strict, so `"5"` is not a quantity and `5` is not an amount.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ledger import money
from ledger.errors import InvalidEvent

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
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


def _invalid(code: str, field: str, message: str) -> PydanticCustomError:
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


class Data(BaseModel):
    """Base of every `data` model: strict, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ConferenceConfigured(Data):
    name: Name
    currency: Annotated[str, StringConstraints(strict=True)] = "USD"
    timezone: Annotated[str, StringConstraints(strict=True)] = "UTC"
    start_date: Day | None = None
    end_date: Day | None = None
    revenue_budget: Amount | None = None
    target_attendance: Count | None = None
    grant_budget: Amount | None = None
    card_fee_percent: Amount = Decimal("2.9")
    card_fee_fixed: Amount = Decimal("0.30")

    @model_validator(mode="after")
    def _known_currency_and_zone(self) -> ConferenceConfigured:
        if not money.is_currency(self.currency):
            raise _invalid("unknown-currency", "currency", "not an ISO 4217 currency code")
        if self.timezone not in _ZONES:
            raise _invalid("unknown-timezone", "timezone", "not an IANA timezone name")
        return self


_ZONES = available_timezones()


class ProductDefined(Data):
    product_id: Id
    name: Name
    price: Amount
    total_quantity: Count
    available_from: Moment | None = None
    available_until: Moment | None = None
    is_active: StrictBool = True
    sort_order: Rank = 0


class VoucherDefined(Data):
    code: Id
    voucher_type: Literal["comp", "percentage", "fixed_amount"]
    discount_value: Amount
    max_uses: Count
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    is_active: StrictBool = True

    @model_validator(mode="after")
    def _percentage_at_most_100(self) -> VoucherDefined:
        _check_percentage(self.voucher_type, self.discount_value)
        return self


def _check_percentage(kind: str, value: Decimal) -> None:
    if kind == "percentage" and value > 100:
        raise _invalid("percentage-above-100", "discount_value",
                       "a percentage discount is at most 100")


class DiscountConditionDefined(Data):
    condition_id: Id
    condition_type: Literal["time_or_stock_limit", "speaker", "group_member", "included_product",
                            "product_discount", "category_discount"]
    name: Name
    is_active: StrictBool
    priority: Rank
    discount_type: Literal["percentage", "fixed_amount"]
    discount_value: Amount
    limit: Count | None = None
    applicable_products: list[Id] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _percentage_at_most_100(self) -> DiscountConditionDefined:
        _check_percentage(self.discount_type, self.discount_value)
        return self


class ExpenseCategoryDefined(Data):
    category_id: Id
    name: Name
    budget_amount: Amount | None = None


class CartOpened(Data):
    cart_id: Id
    customer_id: Id
    expires_at: Moment | None = None


class CartCheckedOut(Data):
    cart_id: Id
    order_id: Id


class CartClosed(Data):
    cart_id: Id


class Customer(Data):
    customer_id: Id
    email: Name
    name: Name
    company: Text | None = None


class LineItem(Data):
    product_id: Id
    kind: Literal["ticket", "addon"]
    description: Text
    quantity: Quantity
    unit_price: Amount
    discount_amount: Amount
    line_total: Amount
    discount_condition_ids: list[Id] = Field(default_factory=list, max_length=100)


class OrderPlaced(Data):
    order_id: Id
    reference: Text | None = None
    customer: Customer
    line_items: list[LineItem] = Field(min_length=1, max_length=500)
    subtotal: Amount
    discount_amount: Amount
    total: Amount
    voucher_code: Id | None = None
    hold_expires_at: Moment | None = None
    utm_source: Text | None = None
    utm_medium: Text | None = None
    utm_campaign: Text | None = None

    @model_validator(mode="after")
    def _sums_add_up(self) -> OrderPlaced:
        for n, line in enumerate(self.line_items):
            if line.unit_price * line.quantity - line.discount_amount != line.line_total:
                raise _mismatch(f"line_items.{n}.line_total",
                                "line_total must equal unit_price × quantity − discount_amount")
        if sum((x.unit_price * x.quantity for x in self.line_items), Decimal(0)) != self.subtotal:
            raise _mismatch("subtotal", "subtotal must equal Σ unit_price × quantity")
        if sum((x.discount_amount for x in self.line_items), Decimal(0)) != self.discount_amount:
            raise _mismatch("discount_amount", "discount_amount must equal Σ line discounts")
        if self.subtotal - self.discount_amount != self.total:
            raise _mismatch("total", "total must equal subtotal − discount_amount")
        return self


def _requires(field: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("required-with", "{field}: {message}",
                               {"field": field, "message": message})


def _mismatch(field: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("sum-mismatch", "{field}: {message}",
                               {"field": field, "message": message})


class OrderCancelled(Data):
    order_id: Id
    reason: Text | None = None


class OrderRef(Data):
    order_id: Id


PaymentMethod = Literal["stripe", "terminal", "comp", "credit", "manual"]


class PaymentInitiated(Data):
    payment_id: Id
    order_id: Id
    method: PaymentMethod
    amount: Amount

    @model_validator(mode="after")
    def _amount_rules(self) -> PaymentInitiated:
        _check_payment_amount(self.method, self.amount)
        return self


def _check_payment_amount(method: str, amount: Decimal) -> None:
    if amount <= 0 and method != "comp":
        raise PydanticCustomError("not-positive", "{field}: {message}", {
            "field": "amount",
            "message": "must be greater than zero (only a comp payment may be 0)"})


class PaymentSucceeded(Data):
    payment_id: Id
    order_id: Id
    method: PaymentMethod
    amount: Amount
    credit_id: Id | None = None
    reference: Text | None = None

    @model_validator(mode="after")
    def _credit_names_its_credit(self) -> PaymentSucceeded:
        _check_payment_amount(self.method, self.amount)
        if (self.method == "credit") != (self.credit_id is not None):
            raise _requires("credit_id", "credit_id is required for, and only for, method credit")
        return self


class PaymentFailed(Data):
    payment_id: Id
    order_id: Id
    method: PaymentMethod
    amount: Amount
    reason: Text | None = None


class RefundIssued(Data):
    refund_id: Id
    order_id: Id
    amount: Positive
    destination: Literal["original_payment", "store_credit"]
    credit_id: Id | None = None
    payment_id: Id | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _store_credit_names_its_credit(self) -> RefundIssued:
        if (self.destination == "store_credit") != (self.credit_id is not None):
            raise _requires("credit_id", "credit_id is required for, and only for, store_credit")
        return self


class CreditIssued(Data):
    credit_id: Id
    customer_id: Id
    amount: Positive
    note: Text | None = None


class CreditRef(Data):
    credit_id: Id


class AttendeeRegistered(Data):
    attendee_id: Id
    customer_id: Id
    order_id: Id | None = None
    name: Name
    email: Name
    access_code: Text | None = None


class AttendeeRef(Data):
    attendee_id: Id


class SpeakerSynced(Data):
    speaker_id: Id
    name: Name
    email: Name
    customer_id: Id | None = None
    talk_count: Count


class TravelGrantUpdated(Data):
    grant_id: Id
    status: Literal["submitted", "withdrawn", "info_needed", "offered", "need_more", "rejected",
                    "declined", "accepted", "disbursed"]
    requested_amount: Amount
    approved_amount: Amount | None = None
    disbursed_amount: Amount | None = None


class ExpenseRecorded(Data):
    expense_id: Id
    category_id: Id
    description: Name
    amount: Positive
    vendor: Text | None = None
    date: Day


class ExpenseVoided(Data):
    expense_id: Id
    reason: Name


class POLineItem(Data):
    description: Name
    quantity: Quantity
    unit_price: Amount
    line_total: Amount
    product_id: Id | None = None


class PurchaseOrderCreated(Data):
    po_id: Id
    reference: Name
    organization_name: Name
    contact_name: Name
    contact_email: Name
    billing_address: Text | None = None
    line_items: list[POLineItem] = Field(min_length=1, max_length=500)
    subtotal: Amount
    total: Amount
    notes: Text | None = None

    @model_validator(mode="after")
    def _sums_add_up(self) -> PurchaseOrderCreated:
        for n, line in enumerate(self.line_items):
            if line.unit_price * line.quantity != line.line_total:
                raise _mismatch(f"line_items.{n}.line_total",
                                "line_total must equal unit_price × quantity")
        if sum((x.line_total for x in self.line_items), Decimal(0)) != self.subtotal:
            raise _mismatch("subtotal", "subtotal must equal Σ line_total")
        if self.total != self.subtotal:
            raise _mismatch("total", "total must equal subtotal")
        return self


class PurchaseOrderRef(Data):
    po_id: Id


class PurchaseOrderCancelled(Data):
    po_id: Id
    reason: Text | None = None


class PurchaseOrderPaymentRecorded(Data):
    po_id: Id
    payment_id: Id
    amount: Positive
    method: Literal["wire", "ach", "check", "stripe", "other"]
    payment_date: Day
    reference: Text | None = None
    note: Text | None = None
    entered_by: Text | None = None


class PurchaseOrderCreditNoteIssued(Data):
    po_id: Id
    credit_note_id: Id
    amount: Positive
    reason: Name
    issued_by: Text | None = None


CATALOGUE: dict[str, type[Data]] = {
    "conference.configured": ConferenceConfigured,
    "ticket_type.defined": ProductDefined,
    "addon.defined": ProductDefined,
    "voucher.defined": VoucherDefined,
    "discount_condition.defined": DiscountConditionDefined,
    "expense_category.defined": ExpenseCategoryDefined,
    "cart.opened": CartOpened,
    "cart.checked_out": CartCheckedOut,
    "cart.expired": CartClosed,
    "cart.abandoned": CartClosed,
    "order.placed": OrderPlaced,
    "order.cancelled": OrderCancelled,
    "order.hold_expired": OrderRef,
    "payment.initiated": PaymentInitiated,
    "payment.succeeded": PaymentSucceeded,
    "payment.failed": PaymentFailed,
    "refund.issued": RefundIssued,
    "credit.issued": CreditIssued,
    "credit.expired": CreditRef,
    "attendee.registered": AttendeeRegistered,
    "attendee.checked_in": AttendeeRef,
    "attendee.registration_completed": AttendeeRef,
    "speaker.synced": SpeakerSynced,
    "travel_grant.updated": TravelGrantUpdated,
    "expense.recorded": ExpenseRecorded,
    "expense.voided": ExpenseVoided,
    "purchase_order.created": PurchaseOrderCreated,
    "purchase_order.sent": PurchaseOrderRef,
    "purchase_order.cancelled": PurchaseOrderCancelled,
    "purchase_order.payment_recorded": PurchaseOrderPaymentRecorded,
    "purchase_order.credit_note_issued": PurchaseOrderCreditNoteIssued,
}

# Decimal fields that are rates, not money: they are not held to the currency's minor digits.
RATE_FIELDS = frozenset({"card_fee_percent"})


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
                raise _invalid("invalid-extension", name, "an extension attribute is a string "
                               "(at most 2000 characters, no control characters), an integer "
                               "or a boolean")
        return self


def _is_extension_value(value: object) -> bool:
    """A CloudEvents 1.0 extension value in JSON: string, 32-bit integer, boolean (or null)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -2**31 <= value < 2**31
    if not isinstance(value, str) or len(value) > 2000 or _CONTROL.search(value):
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
    """SHA-256 of the event's content (everything it says, for this conference)."""
    body = json.dumps([conference, raw], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


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
