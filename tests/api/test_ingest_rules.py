"""An event the books refuse is answered 409, naming its index, field and code, and nothing of its
batch is recorded (contract §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Post
from tests.api.problems import assert_problem
from tests.factories import (
    cancel_order,
    cancel_purchase_order,
    check_in,
    configure_conference,
    create_purchase_order,
    define_expense_category,
    define_ticket,
    define_voucher,
    issue_credit,
    line,
    pay,
    place_order,
    record_expense,
    record_po_payment,
    refund,
    register_attendee,
    send_purchase_order,
)

# Books every case starts from: o1 paid 450.00, o2 pending, credit cr1 of 50.00, attendee att1,
# purchase order po1 sent and po2 cancelled.
BOOKS = [
    configure_conference(id="conf"), define_ticket(), define_voucher(code="SAVE10"),
    define_expense_category(category_id="venue"),
    place_order(order_id="o1"), pay(order_id="o1", amount="450.00"), place_order(order_id="o2"),
    issue_credit(credit_id="cr1", amount="50.00"), register_attendee(attendee_id="att1"),
    create_purchase_order(po_id="po1"), send_purchase_order(po_id="po1"),
    create_purchase_order(po_id="po2"), cancel_purchase_order(po_id="po2"),
]

# (slug, bad batch, the one error expected as (index, field, code))
CASES: dict[str, tuple[str, Callable[[], list[Any]], tuple[int, str, str]]] = {
    "unknown-conference": ("nowhere", lambda: [place_order(order_id="o9")],
                           (0, "conference", "unknown-conference")),
    "unknown-order": ("pycon", lambda: [pay(order_id="o9")],
                      (0, "data.order_id", "unknown-order")),
    "unknown-product": ("pycon", lambda: [place_order(order_id="o9",
                                                      lines=[line(product_id="nope")])],
                        (0, "data.line_items.0.product_id", "unknown-product")),
    "unknown-voucher": ("pycon", lambda: [place_order(order_id="o9", voucher_code="NOPE")],
                        (0, "data.voucher_code", "unknown-voucher")),
    "unknown-credit": ("pycon", lambda: [pay(order_id="o2", method="credit", credit_id="nope")],
                       (0, "data.credit_id", "unknown-credit")),
    "unknown-purchase-order": ("pycon", lambda: [record_po_payment(po_id="nope")],
                               (0, "data.po_id", "unknown-purchase-order")),
    "unknown-expense-category": ("pycon", lambda: [record_expense(category_id="nope")],
                                 (0, "data.category_id", "unknown-expense-category")),
    "unknown-attendee": ("pycon", lambda: [check_in(attendee_id="nope")],
                         (0, "data.attendee_id", "unknown-attendee")),
    "refund-above-refundable": ("pycon", lambda: [refund(order_id="o1", amount="450.01")],
                                (0, "data.amount", "refund-exceeds-refundable")),
    "refunds-in-one-batch-above-refundable": (
        "pycon", lambda: [refund(order_id="o1", amount="400.00"),
                          refund(order_id="o1", amount="50.01")],
        (1, "data.amount", "refund-exceeds-refundable")),
    "refund-of-an-unpaid-order": ("pycon", lambda: [refund(order_id="o2", amount="1.00")],
                                  (0, "data.amount", "refund-exceeds-refundable")),
    "credit-payment-above-remaining": (
        "pycon", lambda: [pay(order_id="o2", method="credit", credit_id="cr1", amount="50.01")],
        (0, "data.amount", "credit-insufficient")),
    "cancel-of-a-paid-order": ("pycon", lambda: [cancel_order(order_id="o1")],
                               (0, "data.order_id", "order-not-pending")),
    "payment-on-a-cancelled-purchase-order": ("pycon", lambda: [record_po_payment(po_id="po2")],
                                              (0, "data.po_id", "purchase-order-cancelled")),
    "same-key-other-content": ("pycon", lambda: [configure_conference(id="conf", name="Other")],
                               (0, "id", "idempotency-conflict")),
}


@pytest.fixture
def books(post: Post) -> None:
    assert post(*BOOKS).status_code == 201


@pytest.mark.parametrize("case", CASES.keys())
def test_event_the_books_refuse_is_409_and_nothing_is_recorded(
        books: None, post: Post, head: Callable[[], int], case: str) -> None:
    slug, bad_batch, expected = CASES[case]
    before = head()
    # When an event breaking a rule of the books is posted (after a good one in the same batch)
    batch = [place_order(order_id="fine"), *bad_batch()]
    response = post(*batch, slug=slug)
    # Then the batch is refused, naming the event, and nothing of it is recorded
    index, field, code = expected
    errors = [(index + 1, field, code)]
    if slug == "nowhere":  # every event of a batch for an unknown conference is refused
        errors.insert(0, (0, field, code))
    body = assert_problem(response, 409, *errors)
    assert body["errors"][-1]["id"] == batch[index + 1]["id"]
    assert head() == before


def test_a_refused_event_in_the_middle_of_a_batch_writes_nothing(
        books: None, post: Post, head: Callable[[], int]) -> None:
    # Given a batch whose middle event pays an order that does not exist
    batch = [place_order(order_id="o3"), pay(order_id="o404"), place_order(order_id="o4")]
    before = head()
    # When it is posted, then it is refused as a whole
    assert_problem(post(*batch), 409, (1, "data.order_id", "unknown-order"))
    assert head() == before
    # And its good events were not recorded: alone they are new, not duplicates
    answer = post(batch[0], batch[2]).json()
    assert [e["status"] for e in answer["events"]] == ["recorded", "recorded"]
    assert answer["position"] > before


def test_every_refused_event_of_a_batch_is_listed(books: None, post: Post) -> None:
    batch = [pay(order_id="o404"), place_order(order_id="o3"), cancel_order(order_id="o1")]
    assert_problem(post(*batch), 409, (0, "data.order_id", "unknown-order"),
                   (2, "data.order_id", "order-not-pending"))


def test_an_order_placed_earlier_in_the_same_batch_can_be_cancelled(books: None,
                                                                     post: Post) -> None:
    response = post(place_order(order_id="o3"), cancel_order(order_id="o3"))
    assert response.status_code == 201
    assert response.json()["recorded"] == 2
