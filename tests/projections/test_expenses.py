"""Expenses against category budgets, ROI over tickets and POs, and the conference's targets."""

from __future__ import annotations

from typing import Any

from projections.catalogue import projection_classes, reports
from projections.replay import replay
from tests.factories import (
    configure_conference,
    create_purchase_order,
    define_expense_category,
    define_ticket,
    issue_credit_note,
    pay,
    place_order,
    record_expense,
    refund,
    register_attendee,
    send_purchase_order,
)
from tests.projections.factories_business import update_grant, void_expense


def spending() -> list[dict[str, Any]]:
    """Venue (budget 10000), catering (budget 5000), swag (no budget) and four expenses."""
    return [configure_conference(),
            define_expense_category(category_id="venue", name="Venue",
                                    budget_amount="10000.00"),
            define_expense_category(category_id="catering", name="Catering",
                                    budget_amount="5000.00"),
            define_expense_category(category_id="swag", name="Swag"),
            record_expense(expense_id="e1", category_id="venue", amount="6000.00",
                           date="2026-09-01"),
            record_expense(expense_id="e2", category_id="catering", amount="5500.00",
                           date="2026-09-15"),
            record_expense(expense_id="e3", category_id="catering", amount="300.00",
                           date="2026-09-16"),
            record_expense(expense_id="e4", category_id="swag", amount="750.00",
                           date="2026-10-02"),
            void_expense(expense_id="e3")]


def test_expenses_compare_each_category_with_its_budget(books) -> None:
    # Given venue 6000 of 10000, catering 5500 of 5000 (a 300 expense voided), swag 750 unbudgeted
    books.record(*spending())
    report = books.report("expenses")
    assert report["rows"] == [
        {"category_id": "catering", "name": "Catering", "budget": "5000.00",
         "actual": "5500.00", "variance": "-500.00", "expense_count": 1},
        {"category_id": "swag", "name": "Swag", "budget": None, "actual": "750.00",
         "variance": None, "expense_count": 1},
        {"category_id": "venue", "name": "Venue", "budget": "10000.00", "actual": "6000.00",
         "variance": "4000.00", "expense_count": 1}]
    # Then budget 15000 − expenses 12250 = 2750, which is 18.33 % of the budget
    assert report | {"rows": None} == {"rows": None,
        "total_budget": "15000.00", "total_expenses": "12250.00", "budget_variance": "2750.00",
        "budget_variance_pct": "18.33", "expense_count": 3}


def test_expenses_filter_by_the_expense_date_against_the_whole_budget(books) -> None:
    books.record(*spending())
    # September 10..30 holds catering's 5500 only (the voided 300 stays out)
    report = books.report("expenses", date_from="2026-09-10", date_until="2026-09-30")
    assert [(r["category_id"], r["actual"], r["expense_count"]) for r in report["rows"]] == [
        ("catering", "5500.00", 1), ("swag", "0.00", 0), ("venue", "0.00", 0)]
    # 15000 − 5500 = 9500 = 63.33 %
    assert (report["total_expenses"], report["budget_variance"],
            report["budget_variance_pct"]) == ("5500.00", "9500.00", "63.33")


def test_redefining_a_category_replaces_its_budget(books) -> None:
    books.record(*spending(), define_expense_category(category_id="swag", name="Swag & prints",
                                                      budget_amount="1000.00"))
    swag = books.report("expenses")["rows"][1]
    assert (swag["name"], swag["budget"], swag["variance"]) == (
        "Swag & prints", "1000.00", "250.00")


def revenue_and_costs() -> list[dict[str, Any]]:
    """Tickets 450 less a 100 refund, a PO of 1000 less a 200 credit note, 400 of expenses,
    three attendees."""
    return [define_ticket(), place_order(order_id="o1"), pay(order_id="o1"),
            refund(order_id="o1", amount="100.00"),
            create_purchase_order(po_id="po1", total="1000.00"), send_purchase_order(po_id="po1"),
            issue_credit_note(po_id="po1", amount="200.00"),
            define_expense_category(category_id="venue", name="Venue"),
            record_expense(expense_id="e1", category_id="venue", amount="400.00"),
            *(register_attendee(attendee_id=f"a{n}") for n in range(3))]


def test_roi_adds_ticket_and_po_revenue_and_divides_by_attendees(books) -> None:
    books.record(configure_conference(), *revenue_and_costs())
    # ticket 450 − 100 = 350; PO 1000 − 200 = 800; revenue 1150; profit 1150 − 400 = 750
    # margin 750 / 1150 = 65.217 %; ROI 750 / 400 = 187.5 %; per attendee 400 / 3, 1150 / 3
    assert books.report("roi") == {
        "ticket_revenue": "350.00", "po_revenue": "800.00", "total_revenue": "1150.00",
        "total_expenses": "400.00", "gross_profit": "750.00", "gross_margin_pct": "65.22",
        "roi_pct": "187.50", "cost_per_attendee": "133.33", "revenue_per_attendee": "383.33"}


def test_roi_without_expenses_or_attendees_gives_zero_ratios(books) -> None:
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1"))
    assert books.report("roi") == {
        "ticket_revenue": "450.00", "po_revenue": "0.00", "total_revenue": "450.00",
        "total_expenses": "0.00", "gross_profit": "450.00", "gross_margin_pct": "100.00",
        "roi_pct": "0.00", "cost_per_attendee": "0.00", "revenue_per_attendee": "0.00"}


def test_roi_shows_a_loss_as_negative_money_and_rates(books) -> None:
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1"), define_expense_category(category_id="venue", name="Venue"),
                 record_expense(expense_id="e1", category_id="venue", amount="1000.00"))
    roi = books.report("roi")
    # 450 − 1000 = −550: −550 / 450 = −122.22 %, −550 / 1000 = −55 %
    assert (roi["gross_profit"], roi["gross_margin_pct"], roi["roi_pct"]) == (
        "-550.00", "-122.22", "-55.00")


def test_budget_measures_revenue_attendance_and_grants_against_targets(books) -> None:
    books.record(configure_conference(revenue_budget="2000.00", target_attendance=4,
                                      grant_budget="1000.00"), *revenue_and_costs(),
                 # g1 ends accepted at 400 (committed); g2 offered 300 then declined (not)
                 update_grant(grant_id="g1", status="offered", approved_amount="400.00"),
                 update_grant(grant_id="g1", status="accepted", approved_amount="400.00"),
                 update_grant(grant_id="g2", status="offered", approved_amount="300.00"),
                 update_grant(grant_id="g2", status="declined", approved_amount="300.00"),
                 # g3 was accepted, then paid out 180: disbursed, no longer committed
                 update_grant(grant_id="g3", status="accepted", approved_amount="200.00"),
                 update_grant(grant_id="g3", status="disbursed", approved_amount="200.00",
                              disbursed_amount="180.00"))
    budget = books.report("budget")
    # revenue 1150 of 2000 = 57.5 %; 3 of 4 attendees = 75 %; grants 400 of 1000 = 40 %
    assert budget == {
        "revenue_target": "2000.00", "revenue_actual": "1150.00", "revenue_pct": "57.50",
        "attendance_target": 4, "attendance_actual": 3, "attendance_pct": "75.00",
        "grant_target": "1000.00", "grant_committed": "400.00", "grant_disbursed": "180.00",
        "grant_pct": "40.00"}
    assert budget["revenue_actual"] == books.report("roi")["total_revenue"]


def test_budget_shows_only_the_targets_that_were_set(books) -> None:
    books.record(configure_conference(target_attendance=10), register_attendee())
    assert books.report("budget") == {
        "attendance_target": 10, "attendance_actual": 1, "attendance_pct": "10.00"}


def test_roi_and_budget_replayed_from_the_log_equal_the_live_reports(books) -> None:
    # Given the books above, when ROI and budget are rebuilt in memory from their read models
    books.record(configure_conference(revenue_budget="2000.00", target_attendance=4,
                                      grant_budget="1000.00"), *revenue_and_costs(),
                 update_grant(grant_id="g1", status="accepted", approved_amount="400.00"))
    classes = projection_classes()
    for name in ("roi", "budget"):
        report = reports()[name]
        history = replay(books.ledger, [classes[m]() for m in report.read_models], "pycon")
        # Then they say what the live tables say
        assert report.build(history.rows, books.context()) == books.report(name)
