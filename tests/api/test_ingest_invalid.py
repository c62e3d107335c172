"""An event that is wrong on its own is refused with 422, naming its index, field and code, and
nothing of its batch is recorded (contract §3)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Post
from tests.api.problems import assert_problem
from tests.factories import (
    Event,
    configure_conference,
    create_purchase_order,
    define_ticket,
    issue_credit,
    line,
    pay,
    place_order,
    record_expense,
    refund,
)

MISSING = object()


def changed(event: Event, path: str, value: Any = MISSING) -> Event:
    """A copy of `event` with the field at dotted `path` set to `value` (or removed)."""
    result = copy.deepcopy(event)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = result
    for part in parents:
        target = target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return result


def in_hours(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")


NEW_ORDER = place_order(order_id="o2")

# (bad batch, the one error expected as (index, field, code))
CASES: dict[str, tuple[Callable[[], list[Any]], tuple[int, str, str]]] = {
    "missing-specversion": (lambda: [changed(NEW_ORDER, "specversion")],
                            (0, "specversion", "required")),
    "missing-id": (lambda: [changed(NEW_ORDER, "id")], (0, "id", "required")),
    "wrong-specversion": (lambda: [changed(NEW_ORDER, "specversion", "0.3")],
                          (0, "specversion", "not-allowed")),
    "unknown-type": (lambda: [changed(NEW_ORDER, "type", "order.exploded")],
                     (0, "type", "unknown-type")),
    "time-without-offset": (lambda: [changed(NEW_ORDER, "time", "2026-10-01T10:00:00")],
                            (0, "time", "time-format")),
    "data-not-an-object": (lambda: [changed(NEW_ORDER, "data", [1])],
                           (0, "data", "not-an-object")),
    "event-not-an-object": (lambda: ["order.placed"], (0, "", "type")),
    "missing-data-field": (lambda: [changed(NEW_ORDER, "data.customer")],
                           (0, "data.customer", "required")),
    "unknown-data-field": (lambda: [changed(NEW_ORDER, "data.bogus", "1")],
                           (0, "data.bogus", "unknown-field")),
    "quantity-as-string": (lambda: [changed(NEW_ORDER, "data.line_items.0.quantity", "1")],
                           (0, "data.line_items.0.quantity", "not-an-integer")),
    "zero-quantity": (lambda: [changed(NEW_ORDER, "data.line_items.0.quantity", 0)],
                      (0, "data.line_items.0.quantity", "greater-than")),
    "money-as-json-number": (lambda: [define_ticket(product_id="p2", price=450)],
                             (0, "data.price", "money-format")),
    "money-as-json-float": (lambda: [pay(order_id="o1", amount=450.0)],
                            (0, "data.amount", "money-format")),
    "too-many-decimals-for-usd": (lambda: [define_ticket(product_id="p2", price="450.001")],
                                  (0, "data.price", "too-many-decimals")),
    "negative-amount": (lambda: [define_ticket(product_id="p2", price="-1.00")],
                        (0, "data.price", "money-format")),
    "zero-refund": (lambda: [refund(order_id="o1", amount="0.00")],
                    (0, "data.amount", "not-positive")),
    "zero-credit": (lambda: [issue_credit(amount="0")], (0, "data.amount", "not-positive")),
    "zero-payment": (lambda: [pay(order_id="o1", amount="0.00")],
                     (0, "data.amount", "not-positive")),
    "zero-expense": (lambda: [record_expense(amount="0.00")], (0, "data.amount", "not-positive")),
    "line-total-off": (lambda: [place_order(order_id="o2", lines=[line(line_total="1.00")])],
                       (0, "data.line_items.0.line_total", "sum-mismatch")),
    "subtotal-off": (lambda: [place_order(order_id="o2", subtotal="1.00")],
                     (0, "data.subtotal", "sum-mismatch")),
    "discount-off": (lambda: [place_order(order_id="o2", discount_amount="1.00")],
                     (0, "data.discount_amount", "sum-mismatch")),
    "total-off": (lambda: [place_order(order_id="o2", lines=[line()], total="1.00")],
                  (0, "data.total", "sum-mismatch")),
    "purchase-order-subtotal-off": (lambda: [create_purchase_order(subtotal="5.00")],
                                    (0, "data.subtotal", "sum-mismatch")),
    "time-over-24h-in-future": (lambda: [place_order(order_id="o2", time=in_hours(25))],
                                (0, "time", "time-in-future")),
}


@pytest.fixture
def pycon(post: Post) -> None:
    """A configured conference with one ticket type and one pending order o1."""
    response = post(configure_conference(), define_ticket(), place_order(order_id="o1"))
    assert response.status_code == 201


@pytest.mark.parametrize("case", CASES.keys())
def test_invalid_event_is_refused_with_422_and_nothing_is_recorded(
        pycon: None, post: Post, head: Callable[[], int], case: str) -> None:
    bad_batch, expected = CASES[case]
    before = head()
    # When the bad event is posted
    response = post(*bad_batch())
    # Then it is refused, naming its index, field and code, and the head did not move
    assert_problem(response, 422, expected)
    assert head() == before


def test_decimals_in_a_currency_without_minor_unit_are_422(post: Post,
                                                             head: Callable[[], int]) -> None:
    # Given a batch that configures a yen conference and defines a ticket at 100.5 yen
    batch = [configure_conference(currency="JPY", card_fee_fixed="30"),
             define_ticket(price="100.5")]
    # Then the ticket is refused and not even the conference is recorded
    assert_problem(post(*batch, slug="tokyo"), 422, (1, "data.price", "too-many-decimals"))
    assert head() == 0


def test_an_event_less_than_24_hours_ahead_is_accepted(pycon: None, post: Post) -> None:
    assert post(place_order(order_id="o2", time=in_hours(23))).status_code == 201


def test_an_invalid_event_in_the_middle_of_a_batch_writes_nothing(
        pycon: None, post: Post, head: Callable[[], int]) -> None:
    # Given a batch whose middle event has a number for money
    batch = [place_order(order_id="o2"), pay(order_id="o2", amount=450),
             place_order(order_id="o3")]
    before = head()
    # When it is posted, then it is refused as a whole
    assert_problem(post(*batch), 422, (1, "data.amount", "money-format"))
    assert head() == before
    # And its good events were not recorded: alone they are new, not duplicates
    answer = post(batch[0], batch[2]).json()
    assert [e["status"] for e in answer["events"]] == ["recorded", "recorded"]


def test_every_invalid_event_of_a_batch_is_listed(pycon: None, post: Post) -> None:
    batch = [define_ticket(product_id="p2", price=1), place_order(order_id="o2"),
             changed(place_order(order_id="o3"), "data.customer")]
    body = assert_problem(post(*batch), 422, (0, "data.price", "money-format"),
                          (2, "data.customer", "required"))
    assert [e["id"] for e in body["errors"]] == [batch[0]["id"], batch[2]["id"]]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2", b'{"a": NaN}', b"\xff\xfe\x00"],
                         ids=["broken-object", "broken-array", "nan", "not-utf8"])
def test_a_body_that_is_not_json_is_422(client, admin_headers, head, body: bytes) -> None:
    before = head()
    response = client.post("/api/v1/conferences/pycon/events", content=body,
                           headers=admin_headers | {"Content-Type": "application/json"})
    assert_problem(response, 422, (None, "", "invalid-json"))
    assert head() == before


@pytest.mark.parametrize("body", [b"[]", b'"an event"', b"42", b"null"],
                         ids=["empty", "str", "int", "null"])
def test_a_body_that_is_neither_an_event_nor_a_batch_is_422(client, admin_headers,
                                                            body: bytes) -> None:
    response = client.post("/api/v1/conferences/pycon/events", content=body,
                           headers=admin_headers | {"Content-Type": "application/json"})
    assert_problem(response, 422, (None, "", "not-a-batch"))
