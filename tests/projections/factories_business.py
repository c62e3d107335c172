"""Factories for the business read models' tests: grants, voided expenses, sold orders."""

from __future__ import annotations

from typing import Any

from tests.factories import Event, cloud_event, pay, place_order


def update_grant(*, grant_id: str = "g1", status: str = "submitted",
                 requested_amount: str = "500.00", approved_amount: str | None = None,
                 disbursed_amount: str | None = None, **envelope: Any) -> Event:
    """`travel_grant.updated` as the grants system sends each change."""
    data = {"grant_id": grant_id, "status": status, "requested_amount": requested_amount}
    amounts = {"approved_amount": approved_amount, "disbursed_amount": disbursed_amount}
    data |= {name: value for name, value in amounts.items() if value is not None}
    return cloud_event("travel_grant.updated", data, source="grants", **envelope)


def void_expense(*, expense_id: str = "exp1", reason: str = "Entered twice",
                 **envelope: Any) -> Event:
    return cloud_event("expense.voided", {"expense_id": expense_id, "reason": reason},
                       source="finance", **envelope)


def sold_order(*, order_id: str, customer_id: str, total: str, company: str | None = None,
               **envelope: Any) -> list[Event]:
    """`order.placed` for `customer_id` paid in full at once (a sold order)."""
    customer = {"customer_id": customer_id, "email": f"{customer_id}@example.org",
                "name": f"Customer {customer_id}"}
    if company is not None:
        customer["company"] = company
    return [place_order(order_id=order_id, total=total, customer=customer, **envelope),
            pay(order_id=order_id, amount=total, **envelope)]
