"""The credits report: store credits newest first, and a summary that agrees with reconciliation.

The worked example is `record_money_story`: c-gw (Cy, 25 goodwill, expired), c-refund (Bob, 400
from refunding o2, spent on o3), c-gw2 (Ada, 60 goodwill, available).
"""

from __future__ import annotations

import pytest

from projections.catalogue import reports
from projections.reports import FilterError
from projections.store import SqlReader
from tests.factories import configure_conference, define_ticket, line, pay, place_order, refund
from tests.projections.factories_money import at, issue_credit, record_money_story


def test_credits_are_listed_newest_first_with_their_origin_and_use(books) -> None:
    record_money_story(books)
    rows = books.report("credits")["rows"]
    # created Oct 4 09:00, Oct 3 15:00, Oct 2 10:00 UTC, shown in New York time
    assert rows == [
        {"credit_id": "c-gw2", "customer_id": "cust-1", "email": "ada@example.org",
         "amount": "60.00", "remaining": "60.00", "status": "available", "source_order": None,
         "applied_to_orders": [], "note": "sorry", "created": "2026-10-04T05:00:00-04:00"},
        {"credit_id": "c-refund", "customer_id": "cust-2", "email": "bob@example.org",
         "amount": "400.00", "remaining": "0.00", "status": "applied", "source_order": "o2",
         "applied_to_orders": ["o3"], "note": "cannot travel",
         "created": "2026-10-03T11:00:00-04:00"},
        # Cy never placed an order, so no email is known; the row keeps what remained at expiry
        {"credit_id": "c-gw", "customer_id": "cust-3", "email": None, "amount": "25.00",
         "remaining": "25.00", "status": "expired", "source_order": None,
         "applied_to_orders": [], "note": "goodwill", "created": "2026-10-02T06:00:00-04:00"}]


def test_credit_summary_agrees_with_reconciliation(books) -> None:
    record_money_story(books)
    summary = books.report("credits")["summary"]
    # issued 25 + 400 + 60 = 485; drawn 400; outstanding 60 = 485 − 400 − 25 (expired remaining)
    assert summary == {"count": 3, "total_issued": "485.00", "total_outstanding": "60.00",
                       "total_applied": "400.00"}
    assert summary["total_outstanding"] == books.report("reconciliation")["credits_outstanding"]


def test_credit_email_follows_the_customers_latest_order(books) -> None:
    # Given a goodwill credit for a customer who has not ordered yet
    books.record(configure_conference(), define_ticket(),
                 issue_credit(credit_id="c1", customer_id="cust-9", time=at(2, 9)))
    assert books.report("credits")["rows"][0]["email"] is None
    # When the customer orders twice, with a new email the second time
    books.record(place_order(order_id="o1", customer_id="cust-9", email="old@example.org"))
    books.record(place_order(order_id="o2", customer_id="cust-9", email="new@example.org"))
    # Then the credit shows their latest email
    assert books.report("credits")["rows"][0]["email"] == "new@example.org"


def test_credits_csv_keeps_django_programs_header_and_joins_applied_orders(books) -> None:
    # Given a 450 refund to store credit spent on two later orders (200 + 250)
    books.record(configure_conference(), define_ticket(price="200.00"),
                 define_ticket(product_id="big", price="250.00"),
                 place_order(order_id="o1"), pay(order_id="o1"),
                 refund(order_id="o1", amount="450.00", destination="store_credit",
                        credit_id="c1", time=at(2, 9)))
    books.record(place_order(order_id="o2", lines=[line(unit_price="200.00")]),
                 pay(order_id="o2", method="credit", credit_id="c1", amount="200.00"),
                 place_order(order_id="o3", lines=[line(product_id="big", unit_price="250.00")]),
                 pay(order_id="o3", method="credit", credit_id="c1", amount="250.00"))
    report = reports()["credits"]
    lines = list(report.rows_for_csv(SqlReader(books.store.database), books.context()))
    assert [header for header, _ in report.columns] == [
        "User", "Email", "Amount", "Remaining", "Status", "Source Order", "Applied To Order",
        "Note", "Created"]
    assert [value(lines[0]) for _, value in report.columns] == [
        "cust-1", "ada@example.org", "450.00", "0.00", "applied", "o1", "o2, o3", None,
        "2026-10-02T05:00:00-04:00"]


def test_credits_can_be_filtered_by_status(books) -> None:
    record_money_story(books)
    assert [r["credit_id"] for r in books.report("credits", status="expired")["rows"]] == ["c-gw"]
    # the summary stays over every credit, as reconciliation shows it
    assert books.report("credits", status="expired")["summary"]["count"] == 3
    with pytest.raises(FilterError):
        books.report("credits", status="spent")
    # a CSV export refuses the bad filter before its first line, not halfway through
    with pytest.raises(FilterError):
        reports()["credits"].rows_for_csv(SqlReader(books.store.database),
                                          books.context(status="spent"))


def test_credits_page_newest_first_with_a_cursor(books) -> None:
    record_money_story(books)
    # Given pages of two credits: the two newest, then the last, with no cursor after it
    first = books.report("credits", limit="2")
    second = books.report("credits", limit="2", cursor=first["next_cursor"])
    assert [r["credit_id"] for r in first["rows"]] == ["c-gw2", "c-refund"]
    assert [r["credit_id"] for r in second["rows"]] == ["c-gw"]
    assert second["next_cursor"] is None
    # the summary covers every credit on every page
    assert first["summary"]["count"] == second["summary"]["count"] == 3
    # And the CSV export ignores paging: it streams every credit
    lines = reports()["credits"].rows_for_csv(SqlReader(books.store.database),
                                              books.context(limit="1"))
    assert [line["credit_id"] for line in lines] == ["c-gw2", "c-refund", "c-gw"]


def test_credits_cursor_keeps_the_status_filter_and_refuses_a_foreign_cursor(books) -> None:
    record_money_story(books)
    first = books.report("credits", limit="1", status="available")
    assert [r["credit_id"] for r in first["rows"]] == ["c-gw2"]
    assert first["next_cursor"] is None
    # A cursor from another report's order is not one this report gave out
    orders_cursor = books.report("orders", limit="1")["next_cursor"]
    assert orders_cursor is not None
    with pytest.raises(FilterError):
        books.report("credits", cursor=orders_cursor)
