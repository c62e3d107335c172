"""State the ledger derives, never taken from the sender (contract §3), at the `Ledger` level:
given recorded events, when another arrives, then the derived status (or the refusal)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import pytest

from ledger.application import BatchRefused, Ledger, Receipt
from ledger.base import LedgerAggregate, entity_id
from ledger.credits import Credit
from ledger.orders import Order
from ledger.purchase_orders import PurchaseOrder
from tests.factories import (
    Event,
    cancel_order,
    cancel_purchase_order,
    configure_conference,
    create_purchase_order,
    define_ticket,
    expire_credit,
    expire_hold,
    issue_credit,
    issue_credit_note,
    pay,
    place_order,
    record_po_payment,
    refund,
    send_purchase_order,
)

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
A = TypeVar("A", bound=LedgerAggregate)


def record(ledger: Ledger, *events: Event) -> Receipt:
    return ledger.record("pycon", list(events), now=NOW)


def state(ledger: Ledger, cls: type[A], key: str) -> A:
    aggregate: A = ledger.repository.get(entity_id("pycon", cls.kind, key))
    return aggregate


def refusal(ledger: Ledger, *events: Event) -> list[tuple[int, str | None, str]]:
    with pytest.raises(BatchRefused) as refused:
        record(ledger, *events)
    return [(e.index, e.error.field, e.error.code) for e in refused.value.errors]


@pytest.fixture
def pycon(ledger: Ledger) -> Ledger:
    """A conference selling one ticket type at 450.00."""
    record(ledger, configure_conference(), define_ticket(price="450.00"))
    return ledger


def test_an_order_is_paid_once_succeeded_payments_cover_its_total(pycon: Ledger) -> None:
    # Given an order of 450.00 and a first payment of 200.00
    record(pycon, place_order(order_id="o1"), pay(order_id="o1", amount="200.00"))
    assert state(pycon, Order, "o1").status == "pending"
    # When the remaining 250.00 succeeds
    record(pycon, pay(order_id="o1", amount="250.00"))
    # Then the order is paid
    assert state(pycon, Order, "o1").status == "paid"


def test_a_zero_total_order_is_paid_by_a_comp_payment_of_zero(pycon: Ledger) -> None:
    record(pycon, place_order(order_id="o1", total="0.00"),
           pay(order_id="o1", amount="0.00", method="comp"))
    assert state(pycon, Order, "o1").status == "paid"


def test_refunds_make_an_order_partially_refunded_then_refunded(pycon: Ledger) -> None:
    # Given a paid order of 450.00
    record(pycon, place_order(order_id="o1"), pay(order_id="o1", amount="450.00"))
    # When 100.00 is refunded, then it is partially refunded with 350.00 still refundable
    record(pycon, refund(order_id="o1", amount="100.00"))
    order = state(pycon, Order, "o1")
    assert (order.status, order.refundable) == ("partially_refunded", 350)
    # When the other 350.00 is refunded, then it is refunded and nothing is refundable
    record(pycon, refund(order_id="o1", amount="350.00"))
    order = state(pycon, Order, "o1")
    assert (order.status, order.refundable) == ("refunded", 0)
    # And a further refund is refused
    assert refusal(pycon, refund(order_id="o1", amount="0.01")) == [
        (0, "data.amount", "refund-exceeds-refundable")]


def test_a_refund_to_store_credit_creates_an_available_credit(pycon: Ledger) -> None:
    record(pycon, place_order(order_id="o1"), pay(order_id="o1", amount="450.00"),
           refund(order_id="o1", amount="100.00", destination="store_credit", credit_id="cr1"))
    credit = state(pycon, Credit, "cr1")
    assert (credit.status, credit.remaining) == ("available", 100)


def test_credit_payments_draw_a_credit_down_until_it_is_applied(pycon: Ledger) -> None:
    # Given a goodwill credit of 50.00 and an order of 450.00
    record(pycon, issue_credit(credit_id="cr1", amount="50.00"), place_order(order_id="o1"))
    # When 30.00 of it pays part of the order, then 20.00 remains available
    record(pycon, pay(order_id="o1", method="credit", credit_id="cr1", amount="30.00"))
    credit = state(pycon, Credit, "cr1")
    assert (credit.status, credit.remaining) == ("available", 20)
    # When the last 20.00 is drawn, then the credit is applied
    record(pycon, pay(order_id="o1", method="credit", credit_id="cr1", amount="20.00"))
    credit = state(pycon, Credit, "cr1")
    assert (credit.status, credit.remaining) == ("applied", 0)
    # And it cannot be drawn again
    assert refusal(pycon, pay(order_id="o1", method="credit", credit_id="cr1",
                              amount="1.00")) == [(0, "data.credit_id", "credit-not-available")]


def test_an_expired_credit_cannot_be_spent(pycon: Ledger) -> None:
    record(pycon, issue_credit(credit_id="cr1"), place_order(order_id="o1"),
           expire_credit(credit_id="cr1"))
    assert state(pycon, Credit, "cr1").status == "expired"
    assert refusal(pycon, pay(order_id="o1", method="credit", credit_id="cr1",
                              amount="1.00")) == [(0, "data.credit_id", "credit-not-available")]


def test_a_cancelled_order_takes_no_payment(pycon: Ledger) -> None:
    record(pycon, place_order(order_id="o1"), cancel_order(order_id="o1"))
    assert state(pycon, Order, "o1").status == "cancelled"
    assert refusal(pycon, pay(order_id="o1")) == [(0, "data.order_id", "order-cancelled")]


def test_an_expired_hold_cancels_a_pending_order(pycon: Ledger) -> None:
    record(pycon, place_order(order_id="o1"), expire_hold(order_id="o1"))
    assert state(pycon, Order, "o1").status == "cancelled"


@pytest.mark.parametrize("events, status", [
    ([], "draft"),
    ([send_purchase_order()], "sent"),
    ([send_purchase_order(), record_po_payment(amount="400.00")], "partially_paid"),
    ([send_purchase_order(), record_po_payment(amount="400.00"),
      record_po_payment(amount="600.00")], "paid"),
    ([send_purchase_order(), record_po_payment(amount="1200.00")], "overpaid"),
    ([send_purchase_order(), record_po_payment(amount="900.00"),
      issue_credit_note(amount="100.00")], "paid"),
    ([issue_credit_note(amount="1000.00")], "paid"),
    ([cancel_purchase_order()], "cancelled"),
], ids=["created", "sent", "part-paid", "paid", "overpaid", "paid-with-credit-note",
        "credited-in-full", "cancelled"])
def test_purchase_order_status_follows_its_balance(pycon: Ledger, events: list[Event],
                                                   status: str) -> None:
    # Given a purchase order of 1000.00, when these events follow, then its status is derived
    record(pycon, create_purchase_order(po_id="po1", total="1000.00"), *events)
    assert state(pycon, PurchaseOrder, "po1").status == status


def test_a_cancelled_purchase_order_is_final(pycon: Ledger) -> None:
    record(pycon, create_purchase_order(), cancel_purchase_order())
    refused = refusal(pycon, record_po_payment(), issue_credit_note(), send_purchase_order())
    assert refused == [(n, "data.po_id", "purchase-order-cancelled") for n in range(3)]
