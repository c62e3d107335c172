"""The dashboards and the orders drill-down: every figure is the one its own report shows.

Worked example (USD, New York; `now` is 2026-10-15 12:00 UTC = 08:00 in New York):
- o1: one Individual ticket, 450.00, placed and paid Oct 1 (14:00 UTC, 10:00 New York);
  100.00 refunded to the card → partially_refunded.
- o2: 450.00, placed Oct 1, still pending.
- o3: 450.00, placed and paid Oct 3 at 02:00 UTC, which is still Oct 2 in New York.
- a goodwill credit of 50.00; one cart opened and still active.
Sales: 2 sold orders, 900.00. Refunds 100.00, so net revenue 800.00.
"""

from __future__ import annotations

from typing import Any

from tests.factories import configure_conference, define_ticket, pay, place_order, refund
from tests.projections.factories_money import issue_credit, open_cart


def record_story(books: Any) -> None:
    books.record(configure_conference(), define_ticket(),
                 place_order(order_id="o1"), pay(order_id="o1"),
                 refund(order_id="o1", amount="100.00"),
                 place_order(order_id="o2", customer_id="cust-2"),
                 place_order(order_id="o3", customer_id="cust-3"),
                 pay(order_id="o3", time="2026-10-03T02:00:00+00:00"),
                 issue_credit(credit_id="cr1", amount="50.00"), open_cart(cart_id="c1"))


def test_financial_revenue_and_credit_are_the_reconciliation_figures(books) -> None:
    record_story(books)
    financial = books.report("financial")
    # sales 900.00 − refunds 100.00 = net 800.00; credit 50.00 issued, none drawn
    assert financial["revenue"] == {"total": "900.00", "refunded": "100.00", "net": "800.00",
                                    "credits_issued": "50.00", "credits_outstanding": "50.00",
                                    "credits_applied": "0.00"}
    reconciliation = books.report("reconciliation")
    assert financial["revenue"]["net"] == reconciliation["net_revenue"]
    assert financial["summary"] == {"net_revenue": "800.00", "orders": 2, "active_carts": 1,
                                    "credits_outstanding": "50.00"}


def test_financial_breakdowns_are_zero_filled(books) -> None:
    record_story(books)
    financial = books.report("financial")
    assert financial["orders_by_status"] == [
        {"status": "pending", "count": 1, "total": "450.00"},
        {"status": "paid", "count": 1, "total": "450.00"},
        {"status": "partially_refunded", "count": 1, "total": "450.00"},
        {"status": "refunded", "count": 0, "total": "0.00"},
        {"status": "cancelled", "count": 0, "total": "0.00"}]
    assert financial["carts_by_status"] == {"active": 1, "expired": 0, "checked_out": 0,
                                            "abandoned": 0}
    assert [m["method"] for m in financial["payments_by_method"]] == [
        "stripe", "terminal", "comp", "credit", "manual"]
    assert [o["order_id"] for o in financial["recent_orders"]] == ["o3", "o2", "o1"]


def test_financial_chart_series_are_the_money_reports_bodies(books) -> None:
    record_story(books)
    charts = books.report("financial")["charts"]
    for name in ("sales", "aov", "revenue-by-ticket-type", "waterfall", "cumulative-revenue",
                 "discount-impact", "refunds", "card-fees"):
        assert charts[name] == books.report(name), name
    assert charts["sales"]["rows"] == [{"date": "2026-10-01", "count": 1, "revenue": "450.00"},
                                       {"date": "2026-10-02", "count": 1, "revenue": "450.00"}]


def test_dashboard_shows_the_last_30_days_in_conference_time_zero_filled(books) -> None:
    record_story(books)
    dashboard = books.report("dashboard")
    # now is Oct 15 in New York, so the window is Sep 16 .. Oct 15, both included
    assert dashboard["window"] == {"date_from": "2026-09-16", "date_until": "2026-10-15"}
    revenue = {row["date"]: row for row in dashboard["revenue"]}
    assert len(revenue) == 30
    assert revenue["2026-10-02"] == {"date": "2026-10-02", "count": 1, "revenue": "450.00"}
    assert revenue["2026-10-05"] == {"date": "2026-10-05", "count": 0, "revenue": "0.00"}
    assert len(dashboard["flow"]) == 30
    assert dashboard["orders_by_status"] == books.report("financial")["orders_by_status"]
    assert dashboard["vouchers"] == books.report("vouchers")["summary"]


def test_dashboard_check_in_progress_is_a_rate_of_registered_attendees(books) -> None:
    record_story(books)
    # No attendee registered yet: the rate's base is 0, so the rate is 0.00
    assert books.report("dashboard")["check_in"] == {"checked_in": 0, "total": 0,
                                                     "rate": "0.00"}


def test_orders_lists_the_orders_paid_on_a_day(books) -> None:
    record_story(books)
    day = books.report("orders", date_from="2026-10-01", date_until="2026-10-01")
    assert day["rows"] == [{"order_id": "o1", "reference": None, "paid_day": "2026-10-01",
                            "customer_id": "cust-1",
                            "customer_name": "Ada Lovelace",
                            "customer_email": "ada@example.org",
                            "status": "partially_refunded", "total": "450.00",
                            "paid": "450.00", "refunded": "100.00",
                            "placed_at": "2026-10-01T10:00:00-04:00"}]
    assert day["next_cursor"] is None
    # o3 was paid Oct 3 UTC, which is Oct 2 in New York; pending o2 is on no day
    assert [r["order_id"] for r in books.report("orders", date_from="2026-10-02")["rows"]] == [
        "o3"]


def test_orders_pages_with_a_cursor(books) -> None:
    record_story(books)
    first = books.report("orders", limit="1")
    assert [r["order_id"] for r in first["rows"]] == ["o1"]
    second = books.report("orders", limit="1", cursor=first["next_cursor"])
    assert [r["order_id"] for r in second["rows"]] == ["o3"]
    assert second["next_cursor"] is None
