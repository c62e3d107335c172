"""Keyword-only factories of CloudEvents as senders post them (`place_order(order_id="o1")`).

Every factory gives a valid event with sensible defaults. Keyword arguments named `id`, `source` or
`time` set the envelope; any other keyword sets (or replaces) a field of `data`, which is how tests
build a bad event: `place_order(total="1.00")` with lines that add up to something else.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

Event = dict[str, Any]

_ids = itertools.count(1)
DEFAULT_TIME = "2026-10-01T14:00:00+00:00"
ENVELOPE = ("id", "source", "time")


def cloud_event(type: str, data: dict[str, Any], *, id: str | None = None,
                source: str = "checkout", time: str = DEFAULT_TIME,
                **extensions: Any) -> Event:
    """One CloudEvents 1.0 object; `id` defaults to a new one per call."""
    return {"specversion": "1.0", "id": id or f"{type}-{next(_ids)}", "source": source,
            "type": type, "time": time, "data": data, **extensions}


def _event(type: str, data: dict[str, Any], fields: dict[str, Any], *,
           source: str = "checkout") -> Event:
    envelope = {"source": source} | {k: fields.pop(k) for k in ENVELOPE if k in fields}
    return cloud_event(type, {**data, **fields}, **envelope)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


# Conference and catalogue (sent by the organisers' admin) ----------------------------------------

def configure_conference(*, name: str = "PyCon Test", currency: str = "USD",
                         timezone: str = "America/New_York", **fields: Any) -> Event:
    return _event("conference.configured",
                  {"name": name, "currency": currency, "timezone": timezone}, fields,
                  source="admin")


def define_ticket(*, product_id: str = "ind", name: str = "Individual", price: str = "450.00",
                  total_quantity: int = 100, kind: str = "ticket", **fields: Any) -> Event:
    """`ticket_type.defined`, or `addon.defined` with kind="addon"."""
    return _event("ticket_type.defined" if kind == "ticket" else "addon.defined",
                  {"product_id": product_id, "name": name, "price": price,
                   "total_quantity": total_quantity}, fields, source="admin")


def define_voucher(*, code: str = "SAVE10", voucher_type: str = "percentage",
                   discount_value: str = "10", max_uses: int = 100, **fields: Any) -> Event:
    return _event("voucher.defined", {"code": code, "voucher_type": voucher_type,
                                      "discount_value": discount_value, "max_uses": max_uses},
                  fields, source="admin")


def define_expense_category(*, category_id: str = "venue", name: str = "Venue",
                            **fields: Any) -> Event:
    return _event("expense_category.defined", {"category_id": category_id, "name": name},
                  fields, source="admin")


# Orders, payments, refunds, credits (sent by checkout) -------------------------------------------

def line(*, product_id: str = "ind", kind: str = "ticket", quantity: int = 1,
         unit_price: str = "450.00", discount_amount: str = "0.00",
         description: str = "Individual", **extra: Any) -> dict[str, Any]:
    """One order line whose line_total adds up."""
    total = Decimal(unit_price) * quantity - Decimal(discount_amount)
    return {"product_id": product_id, "kind": kind, "description": description,
            "quantity": quantity, "unit_price": unit_price, "discount_amount": discount_amount,
            "line_total": str(total), **extra}


def place_order(*, order_id: str = "o1", customer_id: str = "cust-1",
                email: str = "ada@example.org", name: str = "Ada Lovelace",
                lines: list[dict[str, Any]] | None = None, total: str | None = None,
                **fields: Any) -> Event:
    """`order.placed` whose sums add up from its lines (one ticket at `total`, default 450.00).

    With both `lines` and `total`, `total` overrides the computed total (a sum that is wrong).
    """
    items = lines or [line(unit_price=total or "450.00")]
    subtotal = sum(Decimal(x["unit_price"]) * x["quantity"] for x in items)
    discount = sum(Decimal(x["discount_amount"]) for x in items)
    data = {"order_id": order_id,
            "customer": {"customer_id": customer_id, "email": email, "name": name},
            "line_items": items, "subtotal": str(subtotal), "discount_amount": str(discount),
            "total": total if lines and total else str(subtotal - discount)}
    return _event("order.placed", data, fields)


def cancel_order(*, order_id: str = "o1", **fields: Any) -> Event:
    return _event("order.cancelled", {"order_id": order_id}, fields)


def expire_hold(*, order_id: str = "o1", **fields: Any) -> Event:
    return _event("order.hold_expired", {"order_id": order_id}, fields)


def pay(*, order_id: str = "o1", payment_id: str | None = None, amount: str = "450.00",
        method: str = "stripe", **fields: Any) -> Event:
    """`payment.succeeded` (pass credit_id= with method="credit")."""
    return _event("payment.succeeded", {"payment_id": payment_id or _new_id(f"pay-{order_id}"),
                                        "order_id": order_id, "method": method,
                                        "amount": amount}, fields)


def refund(*, order_id: str = "o1", amount: str = "100.00",
           destination: str = "original_payment", refund_id: str | None = None,
           **fields: Any) -> Event:
    """`refund.issued` (pass credit_id= with destination="store_credit")."""
    return _event("refund.issued", {"refund_id": refund_id or _new_id("ref"),
                                    "order_id": order_id, "amount": amount,
                                    "destination": destination}, fields)


def issue_credit(*, credit_id: str = "cr1", customer_id: str = "cust-1", amount: str = "50.00",
                 **fields: Any) -> Event:
    return _event("credit.issued", {"credit_id": credit_id, "customer_id": customer_id,
                                    "amount": amount}, fields)


def expire_credit(*, credit_id: str = "cr1", **fields: Any) -> Event:
    return _event("credit.expired", {"credit_id": credit_id}, fields)


def register_attendee(*, attendee_id: str = "att1", customer_id: str = "cust-1",
                      name: str = "Ada Lovelace", email: str = "ada@example.org",
                      **fields: Any) -> Event:
    return _event("attendee.registered", {"attendee_id": attendee_id, "customer_id": customer_id,
                                          "name": name, "email": email}, fields)


def check_in(*, attendee_id: str = "att1", **fields: Any) -> Event:
    return _event("attendee.checked_in", {"attendee_id": attendee_id}, fields)


# Expenses (finance) and purchase orders (the PO system) ------------------------------------------

def record_expense(*, expense_id: str = "exp1", category_id: str = "venue",
                   description: str = "Hall rental", amount: str = "1000.00",
                   date: str = "2026-09-01", **fields: Any) -> Event:
    return _event("expense.recorded", {"expense_id": expense_id, "category_id": category_id,
                                       "description": description, "amount": amount,
                                       "date": date}, fields, source="finance")


def create_purchase_order(*, po_id: str = "po1", total: str = "1000.00",
                          organization_name: str = "Initech", **fields: Any) -> Event:
    """`purchase_order.created` with one line at `total`."""
    data = {"po_id": po_id, "reference": f"REF-{po_id}", "organization_name": organization_name,
            "contact_name": "Bill Lumbergh", "contact_email": "bill@initech.example",
            "line_items": [{"description": "Corporate tickets", "quantity": 1,
                            "unit_price": total, "line_total": total}],
            "subtotal": total, "total": total}
    return _event("purchase_order.created", data, fields, source="po-system")


def send_purchase_order(*, po_id: str = "po1", **fields: Any) -> Event:
    return _event("purchase_order.sent", {"po_id": po_id}, fields, source="po-system")


def cancel_purchase_order(*, po_id: str = "po1", **fields: Any) -> Event:
    return _event("purchase_order.cancelled", {"po_id": po_id}, fields, source="po-system")


def record_po_payment(*, po_id: str = "po1", amount: str = "1000.00", method: str = "wire",
                      payment_id: str | None = None, payment_date: str = "2026-10-01",
                      **fields: Any) -> Event:
    return _event("purchase_order.payment_recorded",
                  {"po_id": po_id, "payment_id": payment_id or _new_id("popay"),
                   "amount": amount, "method": method, "payment_date": payment_date},
                  fields, source="po-system")


def issue_credit_note(*, po_id: str = "po1", amount: str = "100.00",
                      credit_note_id: str | None = None, reason: str = "Goodwill",
                      **fields: Any) -> Event:
    return _event("purchase_order.credit_note_issued",
                  {"po_id": po_id, "credit_note_id": credit_note_id or _new_id("cn"),
                   "amount": amount, "reason": reason}, fields, source="po-system")
