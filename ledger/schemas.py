"""The `data` of each catalogue type (contract §3): what is required, what is optional, and the
sums that must add up. An event that breaks one of these is wrong on its own (the API's 422);
whether the books accept it is for the aggregates to say.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ledger import money
from ledger.fields import (
    Amount,
    Count,
    Day,
    Id,
    Moment,
    Name,
    Positive,
    Quantity,
    Rank,
    Text,
    invalid,
)


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
            raise invalid("unknown-currency", "currency", "not an ISO 4217 currency code")
        if self.timezone not in _ZONES:
            raise invalid("unknown-timezone", "timezone", "not an IANA timezone name")
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
        raise invalid("percentage-above-100", "discount_value",
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
