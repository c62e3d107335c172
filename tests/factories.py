"""Keyword-only factories of CloudEvents, for tests (`place_order(order_id="o1", total=...)`)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

_ids = itertools.count(1)
DEFAULT_TIME = "2026-10-01T14:00:00+00:00"


def cloud_event(type: str, data: dict[str, Any], *, id: str | None = None,
                source: str = "checkout", time: str = DEFAULT_TIME,
                **extensions: Any) -> dict[str, Any]:
    """One CloudEvents 1.0 object as senders post it."""
    return {"specversion": "1.0", "id": id or f"{type}-{next(_ids)}", "source": source,
            "type": type, "time": time, "data": data, **extensions}


def configure_conference(*, name: str = "PyCon Test", currency: str = "USD",
                         timezone: str = "America/New_York", time: str = DEFAULT_TIME,
                         **extra: Any) -> dict[str, Any]:
    return cloud_event("conference.configured",
                       {"name": name, "currency": currency, "timezone": timezone, **extra},
                       source="admin", time=time)


def define_ticket(*, product_id: str = "ind", name: str = "Individual", price: str = "450.00",
                  total_quantity: int = 100, kind: str = "ticket", time: str = DEFAULT_TIME,
                  **extra: Any) -> dict[str, Any]:
    type_ = "ticket_type.defined" if kind == "ticket" else "addon.defined"
    return cloud_event(type_, {"product_id": product_id, "name": name, "price": price,
                               "total_quantity": total_quantity, **extra},
                       source="admin", time=time)


def line(*, product_id: str = "ind", kind: str = "ticket", quantity: int = 1,
         unit_price: str = "450.00", discount_amount: str = "0.00",
         description: str = "Individual", **extra: Any) -> dict[str, Any]:
    total = Decimal(unit_price) * quantity - Decimal(discount_amount)
    return {"product_id": product_id, "kind": kind, "description": description,
            "quantity": quantity, "unit_price": unit_price, "discount_amount": discount_amount,
            "line_total": str(total), **extra}


def place_order(*, order_id: str = "o1", customer_id: str = "cust-1",
                email: str = "ada@example.org", name: str = "Ada Lovelace",
                lines: list[dict[str, Any]] | None = None, time: str = DEFAULT_TIME,
                **extra: Any) -> dict[str, Any]:
    """`order.placed` whose sums add up from its lines (one Individual ticket by default)."""
    items = lines or [line()]
    subtotal = sum(Decimal(x["unit_price"]) * x["quantity"] for x in items)
    discount = sum(Decimal(x["discount_amount"]) for x in items)
    data = {"order_id": order_id, "customer": {"customer_id": customer_id, "email": email,
                                               "name": name},
            "line_items": items, "subtotal": str(subtotal), "discount_amount": str(discount),
            "total": str(subtotal - discount), **extra}
    return cloud_event("order.placed", data, time=time)


def pay(*, order_id: str = "o1", payment_id: str | None = None, amount: str = "450.00",
        method: str = "stripe", time: str = DEFAULT_TIME, **extra: Any) -> dict[str, Any]:
    data = {"payment_id": payment_id or f"pay-{order_id}-{next(_ids)}", "order_id": order_id,
            "method": method, "amount": amount, **extra}
    return cloud_event("payment.succeeded", data, time=time)


def refund(*, order_id: str = "o1", amount: str = "100.00",
           destination: str = "original_payment", refund_id: str | None = None,
           time: str = DEFAULT_TIME, **extra: Any) -> dict[str, Any]:
    data = {"refund_id": refund_id or f"ref-{next(_ids)}", "order_id": order_id,
            "amount": amount, "destination": destination, **extra}
    return cloud_event("refund.issued", data, time=time)
