"""CloudEvent factories for payments, credits, cancellations and carts, and the money worked example
that the reconciliation and credits tests share.
"""

from __future__ import annotations

from typing import Any

from tests.factories import (
    DEFAULT_TIME,
    cloud_event,
    configure_conference,
    define_ticket,
    line,
    pay,
    place_order,
    refund,
)


def initiate_payment(*, order_id: str = "o1", payment_id: str, amount: str = "450.00",
                     method: str = "stripe", time: str = DEFAULT_TIME) -> dict[str, Any]:
    return cloud_event("payment.initiated", {"payment_id": payment_id, "order_id": order_id,
                                             "method": method, "amount": amount}, time=time)


def fail_payment(*, order_id: str = "o1", payment_id: str, amount: str = "450.00",
                 method: str = "stripe", reason: str = "card declined",
                 time: str = DEFAULT_TIME) -> dict[str, Any]:
    return cloud_event("payment.failed", {"payment_id": payment_id, "order_id": order_id,
                                          "method": method, "amount": amount,
                                          "reason": reason}, time=time)


def expire_hold(*, order_id: str = "o1", time: str = DEFAULT_TIME) -> dict[str, Any]:
    return cloud_event("order.hold_expired", {"order_id": order_id}, time=time)


def issue_credit(*, credit_id: str, customer_id: str = "cust-1", amount: str = "25.00",
                 note: str | None = "goodwill", time: str = DEFAULT_TIME) -> dict[str, Any]:
    return cloud_event("credit.issued", {"credit_id": credit_id, "customer_id": customer_id,
                                         "amount": amount, "note": note}, time=time)


def expire_credit(*, credit_id: str, time: str = DEFAULT_TIME) -> dict[str, Any]:
    return cloud_event("credit.expired", {"credit_id": credit_id}, time=time)


def open_cart(*, cart_id: str, customer_id: str = "cust-1", expires_at: str | None = None,
              time: str = DEFAULT_TIME) -> dict[str, Any]:
    data = {"cart_id": cart_id, "customer_id": customer_id}
    if expires_at is not None:
        data["expires_at"] = expires_at
    return cloud_event("cart.opened", data, time=time)


def close_cart(*, cart_id: str, how: str, order_id: str | None = None,
               time: str = DEFAULT_TIME) -> dict[str, Any]:
    """`how` is `checked_out` (needs `order_id`), `expired` or `abandoned`."""
    data = {"cart_id": cart_id} | ({"order_id": order_id} if order_id else {})
    return cloud_event(f"cart.{how}", data, time=time)


def at(day: int, hour: int) -> str:
    """An effective time in October 2026, UTC."""
    return f"2026-10-{day:02d}T{hour:02d}:00:00+00:00"


def record_money_story(books: Any) -> None:
    """The worked example (USD, New York, Individual ticket 450.00, card fee 2.9 % + 0.30).

    o1 Ada: 450 paid by card, 100 refunded to the card            → partially_refunded
    c-gw Cy: 25 goodwill credit (Cy never orders), expires Oct 5  → expired, 25 counts as 0
    o2 Bob: 450 − 50 discount = 400 paid by card, all 400 refunded to store credit c-refund
                                                                    → refunded
    o3 Bob: 450 paid with c-refund 400 + card 50                   → paid; c-refund applied
    c-gw2 Ada: 60 goodwill credit, unused                          → available
    o4 Dee: card payment of 450 fails, then the hold expires       → cancelled
    o5 Eve: card payment of 450 initiated, still pending           → pending
    o6 Fay: comp ticket, 450 − 450 discount = 0, comp payment 0    → paid
    o7 Gus: 450 overpaid with a card payment of 500                → paid, unbalanced
    """
    ada = {"customer_id": "cust-1", "email": "ada@example.org", "name": "Ada Lovelace"}
    bob = {"customer_id": "cust-2", "email": "bob@example.org", "name": "Bob Babbage"}

    def customer(n: int, name: str) -> dict[str, str]:
        return {"customer_id": f"cust-{n}", "email": f"{name.lower()}@example.org", "name": name}

    books.record(configure_conference(), define_ticket())
    books.record(place_order(order_id="o1", **ada, time=at(1, 15)),
                 pay(order_id="o1", amount="450.00", time=at(1, 15)))
    books.record(issue_credit(credit_id="c-gw", customer_id="cust-3", time=at(2, 10)),
                 refund(order_id="o1", amount="100.00", time=at(2, 12)))
    books.record(place_order(order_id="o2", lines=[line(discount_amount="50.00")], **bob,
                             time=at(3, 14)),
                 pay(order_id="o2", amount="400.00", time=at(3, 14)),
                 refund(order_id="o2", amount="400.00", destination="store_credit",
                        credit_id="c-refund", reason="cannot travel", time=at(3, 15)))
    books.record(place_order(order_id="o3", **bob, time=at(3, 16)),
                 pay(order_id="o3", method="credit", credit_id="c-refund", amount="400.00",
                     time=at(3, 16)),
                 pay(order_id="o3", amount="50.00", time=at(3, 16)))
    books.record(issue_credit(credit_id="c-gw2", amount="60.00", note="sorry", time=at(4, 9)),
                 place_order(order_id="o4", **customer(4, "Dee"), time=at(4, 10)),
                 initiate_payment(order_id="o4", payment_id="p4", time=at(4, 10)),
                 fail_payment(order_id="o4", payment_id="p4", time=at(4, 10)),
                 expire_hold(order_id="o4", time=at(4, 11)))
    books.record(place_order(order_id="o5", **customer(5, "Eve"), time=at(4, 11)),
                 initiate_payment(order_id="o5", payment_id="p5", time=at(4, 11)),
                 place_order(order_id="o6", lines=[line(discount_amount="450.00")],
                             **customer(6, "Fay"), time=at(4, 12)),
                 pay(order_id="o6", method="comp", amount="0.00", time=at(4, 12)),
                 place_order(order_id="o7", **customer(7, "Gus"), time=at(4, 13)),
                 pay(order_id="o7", amount="500.00", time=at(4, 13)))
    books.record(expire_credit(credit_id="c-gw", time=at(5, 0)))
