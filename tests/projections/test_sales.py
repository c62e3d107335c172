"""Sales reports: sold orders by the paid day in the conference's timezone."""

from __future__ import annotations

from tests.factories import configure_conference, define_ticket, pay, place_order, refund


def test_sales_groups_by_paid_day_in_conference_timezone(books) -> None:
    # Given a New York conference and an order placed on Oct 1 (UTC afternoon)
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"))
    # When it is paid at 02:00 UTC on Oct 3, which is still Oct 2 in New York
    books.record(pay(order_id="o1", time="2026-10-03T02:00:00+00:00"))
    # Then the sale is dated Oct 2
    assert books.report("sales")["rows"] == [
        {"date": "2026-10-02", "count": 1, "revenue": "450.00"}]


def test_refund_does_not_unsell_an_order_and_pending_orders_are_not_sales(books) -> None:
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1"), refund(order_id="o1", amount="450.00"),
                 place_order(order_id="o2"))
    assert books.report("sales")["rows"] == [
        {"date": "2026-10-01", "count": 1, "revenue": "450.00"}]
    overview = books.report("sales-overview", date_from="2026-10-01", date_until="2026-10-01")
    assert overview["total_orders"] == 1
    assert overview["conversion_rate"] == "50.00"
