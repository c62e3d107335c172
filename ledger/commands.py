"""One handler per catalogue type: look up what the event refers to, let the aggregate guard its
rules, and raise the domain event. Handlers never touch storage; the batch does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from ledger import schemas as schema
from ledger.attendees import Attendee
from ledger.base import LedgerAggregate, entity_id
from ledger.batch import Batch
from ledger.carts import Cart
from ledger.conference import Conference
from ledger.credits import Credit
from ledger.expenses import Expense
from ledger.orders import Order
from ledger.people import Speaker, TravelGrant
from ledger.purchase_orders import PurchaseOrder

Handler = Callable[[Batch, Any], None]


def _fields(data: schema.Data, *drop: str) -> dict[str, Any]:
    return {k: v for k, v in data.model_dump().items() if k not in drop}


def configure_conference(batch: Batch, data: schema.ConferenceConfigured) -> None:
    existing = batch.find(Conference, batch.slug)
    if existing is None:
        batch.create(Conference, Conference.Configured, batch.slug, "conference", **_fields(data))
    else:
        existing.reconfigure(batch.envelope, _fields(data))


def define_product(batch: Batch, data: schema.ProductDefined) -> None:
    assert batch.incoming is not None
    kind = "ticket" if batch.incoming.envelope.type == "ticket_type.defined" else "addon"
    batch.conference.define(Conference.ProductDefined, batch.envelope,
                            {"kind": kind, **_fields(data)})


def _definer(event_class: type[Conference.Event]) -> Handler:
    def define(batch: Batch, data: schema.Data) -> None:
        batch.conference.define(event_class, batch.envelope, _fields(data))
    return define


def define_condition(batch: Batch, data: schema.DiscountConditionDefined) -> None:
    conference = batch.conference
    for n, product_id in enumerate(data.applicable_products):
        conference.require_product(product_id, f"data.applicable_products.{n}")
    conference.define(Conference.DiscountConditionDefined, batch.envelope, _fields(data))


def open_cart(batch: Batch, data: schema.CartOpened) -> None:
    batch.create(Cart, Cart.Opened, data.cart_id, "data.cart_id", **_fields(data))


def check_out_cart(batch: Batch, data: schema.CartCheckedOut) -> None:
    cart = batch.get(Cart, data.cart_id, "data.cart_id")
    batch.get(Order, data.order_id, "data.order_id")
    cart.close(batch.envelope, Cart.CheckedOut, order_id=data.order_id)


def _cart_closer(event_class: type[Cart.Event]) -> Handler:
    def close(batch: Batch, data: schema.CartClosed) -> None:
        batch.get(Cart, data.cart_id, "data.cart_id").close(batch.envelope, event_class)
    return close


def place_order(batch: Batch, data: schema.OrderPlaced) -> None:
    conference = batch.conference
    for n, line in enumerate(data.line_items):
        conference.require_product(line.product_id, f"data.line_items.{n}.product_id")
        for m, condition_id in enumerate(line.discount_condition_ids):
            conference.require("conditions", condition_id, "discount-condition",
                               f"data.line_items.{n}.discount_condition_ids.{m}")
    if data.voucher_code is not None:
        conference.require("vouchers", data.voucher_code, "voucher", "data.voucher_code")
    batch.create(Order, Order.Placed, data.order_id, "data.order_id", **_fields(data))


def _order_canceller(event_class: type[Order.Event]) -> Handler:
    def cancel(batch: Batch, data: schema.OrderRef) -> None:
        order = batch.get(Order, data.order_id, "data.order_id")
        order.cancel(batch.envelope, event_class, **_fields(data, "order_id"))
    return cancel


def initiate_payment(batch: Batch, data: schema.PaymentInitiated) -> None:
    order = batch.get(Order, data.order_id, "data.order_id")
    order.initiate_payment(batch.envelope, data.payment_id, data.method, data.amount)


def succeed_payment(batch: Batch, data: schema.PaymentSucceeded) -> None:
    order = batch.get(Order, data.order_id, "data.order_id")
    fields = _fields(data)
    if data.credit_id is None:
        order.settle_payment(batch.envelope, True, **fields)
        return
    credit = batch.get(Credit, data.credit_id, "data.credit_id")
    order.check_settlement(True, **fields)
    credit.draw(batch.envelope, data.order_id, data.payment_id, data.amount)
    order.settle_payment(batch.envelope, True, **fields)


def fail_payment(batch: Batch, data: schema.PaymentFailed) -> None:
    order = batch.get(Order, data.order_id, "data.order_id")
    order.settle_payment(batch.envelope, False, **_fields(data))


def issue_refund(batch: Batch, data: schema.RefundIssued) -> None:
    order = batch.get(Order, data.order_id, "data.order_id")
    fields = _fields(data)
    order.check_refund(**fields)
    if data.credit_id is not None:
        batch.create(Credit, Credit.Issued, data.credit_id, "data.credit_id",
                     credit_id=data.credit_id, customer_id=order.customer_id, amount=data.amount,
                     note=data.reason, source_order=data.order_id)
    order.issue_refund(batch.envelope, **fields)


def issue_credit(batch: Batch, data: schema.CreditIssued) -> None:
    batch.create(Credit, Credit.Issued, data.credit_id, "data.credit_id", **_fields(data),
                 source_order=None)


def expire_credit(batch: Batch, data: schema.CreditRef) -> None:
    batch.get(Credit, data.credit_id, "data.credit_id").expire(batch.envelope)


def register_attendee(batch: Batch, data: schema.AttendeeRegistered) -> None:
    if data.order_id is not None:
        batch.get(Order, data.order_id, "data.order_id")
    batch.create(Attendee, Attendee.Registered, data.attendee_id, "data.attendee_id",
                 **_fields(data))


def check_in(batch: Batch, data: schema.AttendeeRef) -> None:
    batch.get(Attendee, data.attendee_id, "data.attendee_id").check_in(batch.envelope)


def complete_registration(batch: Batch, data: schema.AttendeeRef) -> None:
    attendee = batch.get(Attendee, data.attendee_id, "data.attendee_id")
    attendee.complete_registration(batch.envelope)


def sync_speaker(batch: Batch, data: schema.SpeakerSynced) -> None:
    speaker = batch.find(Speaker, data.speaker_id)
    if speaker is None:
        batch.create(Speaker, Speaker.Synced, data.speaker_id, "data.speaker_id", **_fields(data))
    else:
        speaker.trigger_event(Speaker.Resynced, **batch.envelope, **_fields(data))


def update_grant(batch: Batch, data: schema.TravelGrantUpdated) -> None:
    grant = batch.find(TravelGrant, data.grant_id)
    if grant is None:
        batch.create(TravelGrant, TravelGrant.Updated, data.grant_id, "data.grant_id",
                     **_fields(data))
    else:
        grant.trigger_event(TravelGrant.Reupdated, **batch.envelope, **_fields(data))


def record_expense(batch: Batch, data: schema.ExpenseRecorded) -> None:
    batch.conference.require("categories", data.category_id, "expense-category",
                             "data.category_id")
    batch.create(Expense, Expense.Recorded, data.expense_id, "data.expense_id", **_fields(data))


def void_expense(batch: Batch, data: schema.ExpenseVoided) -> None:
    batch.get(Expense, data.expense_id, "data.expense_id").void(batch.envelope, data.reason)


def create_purchase_order(batch: Batch, data: schema.PurchaseOrderCreated) -> None:
    for n, line in enumerate(data.line_items):
        if line.product_id is not None:
            batch.conference.require_product(line.product_id,
                                             f"data.line_items.{n}.product_id")
    batch.create(PurchaseOrder, PurchaseOrder.Created, data.po_id, "data.po_id", **_fields(data))


def _po(batch: Batch, po_id: str) -> PurchaseOrder:
    return batch.get(PurchaseOrder, po_id, "data.po_id")


def send_purchase_order(batch: Batch, data: schema.PurchaseOrderRef) -> None:
    _po(batch, data.po_id).send(batch.envelope)


def cancel_purchase_order(batch: Batch, data: schema.PurchaseOrderCancelled) -> None:
    _po(batch, data.po_id).cancel(batch.envelope, data.reason)


def record_po_payment(batch: Batch, data: schema.PurchaseOrderPaymentRecorded) -> None:
    _po(batch, data.po_id).record_payment(batch.envelope, **_fields(data))


def issue_credit_note(batch: Batch, data: schema.PurchaseOrderCreditNoteIssued) -> None:
    _po(batch, data.po_id).issue_credit_note(batch.envelope, **_fields(data))


HANDLERS: dict[str, Handler] = {
    "conference.configured": configure_conference,
    "ticket_type.defined": define_product,
    "addon.defined": define_product,
    "voucher.defined": _definer(Conference.VoucherDefined),
    "discount_condition.defined": define_condition,
    "expense_category.defined": _definer(Conference.ExpenseCategoryDefined),
    "cart.opened": open_cart,
    "cart.checked_out": check_out_cart,
    "cart.expired": _cart_closer(Cart.Expired),
    "cart.abandoned": _cart_closer(Cart.Abandoned),
    "order.placed": place_order,
    "order.cancelled": _order_canceller(Order.Cancelled),
    "order.hold_expired": _order_canceller(Order.HoldExpired),
    "payment.initiated": initiate_payment,
    "payment.succeeded": succeed_payment,
    "payment.failed": fail_payment,
    "refund.issued": issue_refund,
    "credit.issued": issue_credit,
    "credit.expired": expire_credit,
    "attendee.registered": register_attendee,
    "attendee.checked_in": check_in,
    "attendee.registration_completed": complete_registration,
    "speaker.synced": sync_speaker,
    "travel_grant.updated": update_grant,
    "expense.recorded": record_expense,
    "expense.voided": void_expense,
    "purchase_order.created": create_purchase_order,
    "purchase_order.sent": send_purchase_order,
    "purchase_order.cancelled": cancel_purchase_order,
    "purchase_order.payment_recorded": record_po_payment,
    "purchase_order.credit_note_issued": issue_credit_note,
}


# What each event type looks up, so a batch can load all of it in one query before checking.
_ORDER, _CREDIT, _CART, _PO = (Order, "order_id"), (Credit, "credit_id"), (Cart, "cart_id"), (
    PurchaseOrder, "po_id")
REFERENCES: dict[str, tuple[tuple[type[LedgerAggregate], str], ...]] = {
    "cart.opened": (_CART,), "cart.checked_out": (_CART, _ORDER), "cart.expired": (_CART,),
    "cart.abandoned": (_CART,), "order.placed": (_ORDER,), "order.cancelled": (_ORDER,),
    "order.hold_expired": (_ORDER,), "payment.initiated": (_ORDER,),
    "payment.succeeded": (_ORDER, _CREDIT), "payment.failed": (_ORDER,),
    "refund.issued": (_ORDER, _CREDIT), "credit.issued": (_CREDIT,), "credit.expired": (_CREDIT,),
    "attendee.registered": ((Attendee, "attendee_id"), _ORDER),
    "attendee.checked_in": ((Attendee, "attendee_id"),),
    "attendee.registration_completed": ((Attendee, "attendee_id"),),
    "speaker.synced": ((Speaker, "speaker_id"),),
    "travel_grant.updated": ((TravelGrant, "grant_id"),),
    "expense.recorded": ((Expense, "expense_id"),), "expense.voided": ((Expense, "expense_id"),),
    "purchase_order.created": (_PO,), "purchase_order.sent": (_PO,),
    "purchase_order.cancelled": (_PO,), "purchase_order.payment_recorded": (_PO,),
    "purchase_order.credit_note_issued": (_PO,),
}


def references(slug: str, event_type: str, data: schema.Data) -> list[UUID]:
    """The aggregate ids an event of `event_type` will look up (its conference's included)."""
    ids = [entity_id(slug, Conference.kind, slug)]
    for cls, field in REFERENCES.get(event_type, ()):
        key = getattr(data, field, None)
        if key is not None:
            ids.append(entity_id(slug, cls.kind, key))
    return ids
