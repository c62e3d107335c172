"""Carts for the financial dashboard: counts per status and the carts still open."""

from __future__ import annotations

from projections.carts.queries import active_carts, carts_by_status
from projections.store import SqlReader
from tests.factories import configure_conference, define_ticket, place_order
from tests.projections.factories_money import at, close_cart, open_cart


def test_each_cart_is_counted_once_under_its_current_status(books) -> None:
    # Given five carts: one checked out into o1, one expired, one abandoned, two still open
    books.record(configure_conference(), define_ticket(),
                 *(open_cart(cart_id=f"k{n}", time=at(2, n)) for n in range(1, 6)))
    books.record(place_order(order_id="o1"),
                 close_cart(cart_id="k1", how="checked_out", order_id="o1"),
                 close_cart(cart_id="k2", how="expired"),
                 close_cart(cart_id="k3", how="abandoned"))
    # Then every status is counted, zero-filled, and the five add up
    assert carts_by_status(SqlReader(books.store.database), books.context()) == {
        "active": 2, "expired": 1, "checked_out": 1, "abandoned": 1}


def test_active_carts_are_the_open_ones_newest_first(books) -> None:
    books.record(configure_conference(),
                 open_cart(cart_id="k1", customer_id="cust-1", time=at(2, 9)),
                 open_cart(cart_id="k2", customer_id="cust-2", time=at(2, 10),
                           expires_at="2026-10-02T10:30:00+00:00"),
                 open_cart(cart_id="k3", customer_id="cust-3", time=at(2, 11)))
    books.record(close_cart(cart_id="k3", how="abandoned"))
    reader, context = SqlReader(books.store.database), books.context()
    # k3 left when abandoned; times shown in New York (UTC−4)
    assert active_carts(reader, context) == [
        {"cart_id": "k2", "customer_id": "cust-2", "opened_at": "2026-10-02T06:00:00-04:00",
         "expires_at": "2026-10-02T06:30:00-04:00"},
        {"cart_id": "k1", "customer_id": "cust-1", "opened_at": "2026-10-02T05:00:00-04:00",
         "expires_at": None}]
    assert [c["cart_id"] for c in active_carts(reader, context, limit=1)] == ["k2"]


def test_an_empty_conference_has_no_carts(books) -> None:
    books.record(configure_conference())
    reader, context = SqlReader(books.store.database), books.context()
    assert carts_by_status(reader, context) == {
        "active": 0, "expired": 0, "checked_out": 0, "abandoned": 0}
    assert active_carts(reader, context) == []
