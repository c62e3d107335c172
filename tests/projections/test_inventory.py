"""Inventory: sold, reserved and remaining stock per ticket type and add-on."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.catalogue import reports
from projections.inventory.projection import InventoryProjection
from projections.replay import replay
from tests.factories import (
    cancel_order,
    configure_conference,
    define_ticket,
    line,
    pay,
    place_order,
    refund,
)
from tests.projections.factories_people import expire_hold

_slugs = itertools.count(1)


def csv_cells(report: str, row: dict[str, Any]) -> dict[str, Any]:
    """What the CSV export writes for `row`, by header."""
    return {header: cell(row) for header, cell in reports()[report].columns}


def by_product(books: Any, slug: str = "pycon") -> dict[str, dict[str, Any]]:
    return {row["product_id"]: row for row in books.report("inventory", slug=slug)["rows"]}


def test_inventory_lists_tickets_then_addons_with_limited_and_unlimited_stock(books) -> None:
    # Given Individual (100, sort 1), Student (unlimited, sort 0) and a T-Shirt add-on (50)
    books.record(configure_conference(),
                 define_ticket(product_id="ind", name="Individual", total_quantity=100,
                               sort_order=1),
                 define_ticket(product_id="stu", name="Student", price="100.00",
                               total_quantity=0, sort_order=0),
                 define_ticket(product_id="tee", name="T-Shirt", price="20.00",
                               total_quantity=50, kind="addon"))
    # When o1 buys 2 Individual + 1 T-Shirt (2 × 450 + 20 = 920) and pays, o2 buys 3 Student
    # and pays, and o3 holds 1 Individual without a hold expiry (reserved until paid/cancelled)
    books.record(place_order(order_id="o1", lines=[
                     line(quantity=2),
                     line(product_id="tee", kind="addon", unit_price="20.00",
                          description="T-Shirt")]),
                 pay(order_id="o1", amount="920.00"),
                 place_order(order_id="o2", lines=[line(product_id="stu", quantity=3,
                                                        unit_price="100.00")]),
                 pay(order_id="o2", amount="300.00"),
                 place_order(order_id="o3"))
    rows = books.report("inventory")["rows"]
    # Then tickets come first by sort order, then the add-on
    assert [row["name"] for row in rows] == ["Student", "Individual", "T-Shirt"]
    student, individual, tee = rows
    # Individual: 100 − 2 sold − 1 reserved = 97 remaining
    assert individual == {
        "kind": "ticket", "product_id": "ind", "name": "Individual", "price": "450.00",
        "total_quantity": 100, "sold": 2, "reserved": 1, "remaining": 97, "oversold": 0,
        "unlimited": False, "is_active": True, "available_from": None, "available_until": None}
    # Student is unlimited: no remaining, never oversold
    assert (student["sold"], student["remaining"], student["oversold"],
            student["unlimited"]) == (3, None, 0, True)
    assert (tee["kind"], tee["sold"], tee["remaining"]) == ("addon", 1, 49)
    # And the CSV reads as organisers know it
    assert csv_cells("inventory", student) == {
        "Type": "Ticket", "Name": "Student", "Price": "100.00", "Total Quantity": "Unlimited",
        "Sold": 3, "Reserved": 0, "Remaining": "Unlimited", "Active": "Yes",
        "Available From": None, "Available Until": None}
    assert csv_cells("inventory", tee)["Type"] == "Add-on"


def test_sales_beyond_capacity_show_as_oversold(books) -> None:
    # Given a ticket with 2 seats
    books.record(configure_conference(), define_ticket(total_quantity=2))
    # When the checkout lets 2 + 1 seats be sold
    books.record(place_order(order_id="o1", lines=[line(quantity=2)]),
                 pay(order_id="o1", amount="900.00"),
                 place_order(order_id="o2"), pay(order_id="o2"))
    # Then 3 are sold, nothing remains and 3 − 2 = 1 is oversold
    row = by_product(books)["ind"]
    assert (row["sold"], row["reserved"], row["remaining"], row["oversold"]) == (3, 0, 0, 1)


def test_only_holds_open_at_the_moment_asked_about_reserve_stock(books) -> None:
    # Given 10 seats, and now = 2026-10-15T12:00Z
    books.record(configure_conference(), define_ticket(total_quantity=10))
    # When o1 holds 2 until 13:00 (open), o2 holds 3 until 11:00 (lapsed, no event yet),
    # o3 holds 4 until exactly 12:00 (over at 12:00), o4 held 1 and its hold expired (event)
    books.record(
        place_order(order_id="o1", lines=[line(quantity=2)],
                    hold_expires_at="2026-10-15T13:00:00+00:00"),
        place_order(order_id="o2", lines=[line(quantity=3)],
                    hold_expires_at="2026-10-15T11:00:00+00:00"),
        place_order(order_id="o3", lines=[line(quantity=4)],
                    hold_expires_at="2026-10-15T12:00:00+00:00"),
        place_order(order_id="o4", hold_expires_at="2026-10-15T09:00:00+00:00"),
        expire_hold(order_id="o4", time="2026-10-15T09:00:00+00:00"))
    # Then at 12:00 only o1's 2 are reserved: 10 − 2 = 8 remain
    row = by_product(books)["ind"]
    assert (row["sold"], row["reserved"], row["remaining"]) == (0, 2, 8)
    # And asked about 10:30, o1, o2 and o3 were all open: 2 + 3 + 4 = 9 reserved, 1 remains
    books.now = datetime(2026, 10, 15, 10, 30, tzinfo=UTC)
    row = by_product(books)["ind"]
    assert (row["reserved"], row["remaining"]) == (9, 1)


def test_full_refund_releases_stock_and_partial_refund_keeps_it_sold(books) -> None:
    # Given 10 seats and o1 paying 2 × 450 = 900
    books.record(configure_conference(), define_ticket(total_quantity=10),
                 place_order(order_id="o1", lines=[line(quantity=2)]),
                 pay(order_id="o1", amount="900.00"))
    # When 100 is refunded (partially_refunded), the sale stands
    books.record(refund(order_id="o1", amount="100.00"))
    assert by_product(books)["ind"]["sold"] == 2
    # When the other 800 is refunded (refunded), the stock comes back
    books.record(refund(order_id="o1", amount="800.00"))
    row = by_product(books)["ind"]
    assert (row["sold"], row["reserved"], row["remaining"]) == (0, 0, 10)
    # And a cancelled pending order neither reserves nor sells
    books.record(place_order(order_id="o2"), cancel_order(order_id="o2"))
    assert by_product(books)["ind"]["remaining"] == 10


def test_redefining_a_product_keeps_what_it_sold(books) -> None:
    books.record(configure_conference(), define_ticket(total_quantity=10),
                 place_order(order_id="o1"), pay(order_id="o1"))
    books.record(define_ticket(name="Individual (late)", price="500.00", total_quantity=12,
                               is_active=False))
    row = by_product(books)["ind"]
    assert (row["name"], row["price"], row["sold"], row["remaining"], row["is_active"]) == (
        "Individual (late)", "500.00", 1, 11, False)


FATES = ("pending_open", "pending_no_hold", "pending_lapsed", "hold_expired", "cancelled",
         "paid", "partly_refunded", "refunded")
SOLD, RESERVED = ("paid", "partly_refunded"), ("pending_open", "pending_no_hold")
HOLDS = {"pending_open": "2026-10-15T13:00:00+00:00",
         "pending_lapsed": "2026-10-15T11:00:00+00:00",
         "hold_expired": "2026-10-15T11:00:00+00:00"}


def order_events(order_id: str, quantity: int, fate: str) -> list[dict[str, Any]]:
    """An order of `quantity` seats at 10.00 that meets `fate`."""
    hold = {"hold_expires_at": HOLDS[fate]} if fate in HOLDS else {}
    events = [place_order(order_id=order_id,
                          lines=[line(quantity=quantity, unit_price="10.00")], **hold)]
    total = f"{10 * quantity}.00"
    after = {"hold_expired": [expire_hold(order_id=order_id)],
             "cancelled": [cancel_order(order_id=order_id)],
             "paid": [pay(order_id=order_id, amount=total)],
             "partly_refunded": [pay(order_id=order_id, amount=total),
                                 refund(order_id=order_id, amount="5.00")],
             "refunded": [pay(order_id=order_id, amount=total),
                          refund(order_id=order_id, amount=total)]}
    return events + after.get(fate, [])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(1, 30),
       orders=st.lists(st.tuples(st.integers(1, 3), st.sampled_from(FATES)), max_size=6))
def test_sold_reserved_and_remaining_add_up_to_capacity(books, capacity: int,
                                                        orders: list[tuple[int, str]]) -> None:
    # Given a fresh conference with `capacity` seats and orders meeting random fates
    slug = f"inv{next(_slugs)}"
    events = [configure_conference(), define_ticket(total_quantity=capacity)]
    for n, (quantity, fate) in enumerate(orders):
        events += order_events(f"o{n}", quantity, fate)
    books.record(*events, slug=slug)
    row = by_product(books, slug)["ind"]
    # Then sold and reserved are the standing sales and the open holds
    sold = sum(q for q, fate in orders if fate in SOLD)
    held = sum(q for q, fate in orders if fate in RESERVED)
    assert (row["sold"], row["reserved"]) == (sold, held)
    assert row["oversold"] == max(0, sold - capacity)
    # And where nothing is oversold or over-reserved, the three add up to the capacity
    if sold + held <= capacity:
        assert row["sold"] + row["reserved"] + row["remaining"] == capacity
    else:
        assert row["remaining"] == 0


def test_as_of_replay_reserves_the_holds_open_at_that_moment(books) -> None:
    # Given o1 and o2 placed at 14:00 on Oct 1 with holds until 16:00; o1 paid at 15:00
    hold = "2026-10-01T16:00:00+00:00"
    books.record(configure_conference(), define_ticket(total_quantity=10),
                 place_order(order_id="o1", hold_expires_at=hold),
                 place_order(order_id="o2", hold_expires_at=hold),
                 pay(order_id="o1", time="2026-10-01T15:00:00+00:00"))
    # When the books are replayed as they stood at 14:30 and read at that moment
    as_of = datetime(2026, 10, 1, 14, 30, tzinfo=UTC)
    history = replay(books.ledger, [InventoryProjection()], "pycon", as_of=as_of)
    context = dataclasses.replace(books.context(), now=as_of)
    then = reports()["inventory"].build(history.rows, context)["rows"][0]
    # Then both holds were open and nothing was sold yet: 10 − 2 = 8
    assert (then["sold"], then["reserved"], then["remaining"]) == (0, 2, 8)
    # And now o1 is sold and o2's hold has lapsed
    row = by_product(books)["ind"]
    assert (row["sold"], row["reserved"], row["remaining"]) == (1, 0, 9)
