"""Money reports: reconciliation, refunds, waterfall, card fees, and the shared money queries.

Most tests read the worked example of `record_money_story` (see its docstring). By hand:
  sold orders o1 o2 o3 o6 o7: gross Σ subtotal = 5 × 450 = 2250.00, discounts 50 + 450 = 500.00,
  sales Σ total = 450 + 400 + 450 + 0 + 450 = 1750.00
  succeeded payments: stripe o1 450 + o2 400 + o3 50 + o7 500 = 1400.00 (4), credit 400 (1),
  comp 0 (1) → 1800.00; failed: o4 450; pending: o5 450
  refunds: 100 to the card + 400 to store credit = 500.00 (2) → net revenue 1250.00
  discrepancy = sales − payments = 1750 − 1800 = −50.00 (o7's overpayment)
  credits: issued 25 + 400 + 60 = 485, drawn 400, expired 25 → outstanding 60.00
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from projections.catalogue import projection_classes, reports
from projections.reconciliation.projection import RECENT_KEPT
from projections.reconciliation.queries import (
    READS,
    money_totals,
    orders_by_status,
    payments_by_status,
    recent_orders,
)
from projections.replay import replay
from projections.store import SqlReader
from projections.tables import Rows
from tests.factories import configure_conference, define_ticket, line, pay, place_order
from tests.projections.factories_money import at, record_money_story


def test_reconciliation_balances_the_worked_example(books) -> None:
    # Given the worked example
    record_money_story(books)
    # When the reconciliation report is read
    body = books.report("reconciliation")
    # Then sales, payments, refunds and credit are as computed by hand in the module docstring
    assert {k: body[k] for k in ("sales_total", "payments_total", "refunds_total", "net_revenue",
                                 "credits_outstanding", "discrepancy")} == {
        "sales_total": "1750.00", "payments_total": "1800.00", "refunds_total": "500.00",
        "net_revenue": "1250.00", "credits_outstanding": "60.00", "discrepancy": "-50.00"}
    assert body["by_payment_method"] == [
        {"method": "stripe", "count": 4, "total": "1400.00"},
        {"method": "terminal", "count": 0, "total": "0.00"},
        {"method": "comp", "count": 1, "total": "0.00"},
        {"method": "credit", "count": 1, "total": "400.00"},
        {"method": "manual", "count": 0, "total": "0.00"}]
    # o5 pending; o3, o6 (0) and o7 paid; o1 partially refunded; o2 refunded; o4 cancelled
    assert body["by_order_status"] == [
        {"status": "pending", "count": 1, "total": "450.00"},
        {"status": "paid", "count": 3, "total": "900.00"},
        {"status": "partially_refunded", "count": 1, "total": "450.00"},
        {"status": "refunded", "count": 1, "total": "400.00"},
        {"status": "cancelled", "count": 1, "total": "450.00"}]
    # Only the overpaid o7 is unbalanced: refunds (o1, o2) and the comp 0 (o6) balance
    assert body["unbalanced_orders"] == [{"order_id": "o7", "total": "450.00", "paid": "500.00"}]


def test_reconciliation_csv_lines_follow_django_programs_sections(books) -> None:
    record_money_story(books)
    report = reports()["reconciliation"]
    lines = list(report.rows_for_csv(SqlReader(books.store.database), books.context()))
    assert [header for header, _ in report.columns] == ["Section", "Item", "Count", "Amount"]
    assert [tuple(line.values()) for line in lines if line["section"] != "Order Status"] == [
        ("Summary", "Total Sales", None, "1750.00"),
        ("Summary", "Total Payments", None, "1800.00"),
        ("Summary", "Total Refunds", 2, "500.00"),
        ("Summary", "Net Revenue", None, "1250.00"),
        ("Summary", "Credits Outstanding", None, "60.00"),
        ("Summary", "Discrepancy", None, "-50.00"),
        ("Payment Method", "stripe", 4, "1400.00"),
        ("Payment Method", "terminal", 0, "0.00"),
        ("Payment Method", "comp", 1, "0.00"),
        ("Payment Method", "credit", 1, "400.00"),
        ("Payment Method", "manual", 0, "0.00"),
        # the amount of an unbalanced order is paid − total: o7 was overpaid by 50
        ("Unbalanced Order", "o7", None, "50.00")]


def test_waterfall_steps_from_gross_sales_to_the_reconciliations_net_revenue(books) -> None:
    record_money_story(books)
    # 2250.00 − 500.00 discounts − 500.00 refunds = 1250.00
    assert books.report("waterfall")["rows"] == [
        {"label": "Gross Sales", "value": "2250.00", "type": "total"},
        {"label": "Discounts", "value": "-500.00", "type": "decrease"},
        {"label": "Refunds", "value": "-500.00", "type": "decrease"},
        {"label": "Net Revenue", "value": "1250.00", "type": "total"}]
    assert (books.report("waterfall")["rows"][-1]["value"]
            == books.report("reconciliation")["net_revenue"])


def test_refunds_split_by_destination_and_credits_counted_by_status(books) -> None:
    record_money_story(books)
    # refund rate = 500 / 1750 = 28.571… % → 28.57; credits: c-gw2 available, c-refund applied,
    # c-gw expired
    assert books.report("refunds") == {
        "total_refunded": "500.00", "refund_count": 2, "total_revenue": "1750.00",
        "refund_rate": "28.57",
        "by_destination": {"original_payment": "100.00", "store_credit": "400.00"},
        "by_status": {"available": 1, "applied": 1, "expired": 1}}


def test_card_fees_estimate_the_default_fee_on_succeeded_stripe_payments(books) -> None:
    record_money_story(books)
    body = books.report("card-fees")
    # 2.9 % × 1400.00 = 40.60, + 0.30 × 4 = 1.20 → 41.80; 41.80 / 1400 = 2.9857 % → 2.99
    assert {k: body[k] for k in ("stripe_total", "stripe_count", "estimated_fees",
                                 "net_after_fees", "effective_rate")} == {
        "stripe_total": "1400.00", "stripe_count": 4, "estimated_fees": "41.80",
        "net_after_fees": "1358.20", "effective_rate": "2.99"}
    assert body["by_status"] == {"pending": {"count": 1, "total": "450.00"},
                                 "succeeded": {"count": 4, "total": "1400.00"},
                                 "failed": {"count": 1, "total": "450.00"}}


def test_card_fees_follow_the_latest_configuration_and_round_half_up(books) -> None:
    # Given a conference reconfigured to 2.5 % + 0.25 and one card payment of 10.20
    books.record(configure_conference(), define_ticket(price="10.20"),
                 configure_conference(card_fee_percent="2.5", card_fee_fixed="0.25"))
    books.record(place_order(order_id="o1", lines=[line(unit_price="10.20")]),
                 pay(order_id="o1", amount="10.20"))
    body = books.report("card-fees")
    # 2.5 % × 10.20 = 0.255, + 0.25 = 0.505 → 0.51 half up (not 0.50); 0.51 / 10.20 = 5.00 %
    assert (body["estimated_fees"], body["net_after_fees"], body["effective_rate"]) == (
        "0.51", "9.69", "5.00")


def test_unbalanced_orders_hold_only_sold_orders_paid_other_than_their_total(books) -> None:
    books.record(configure_conference(), define_ticket())
    # Given o1 paid in two parts (pending in between), o2 paid exactly, o3 paid once too often
    books.record(place_order(order_id="o1"), pay(order_id="o1", amount="200.00"))
    assert books.report("reconciliation")["unbalanced_orders"] == []  # pending is not sold
    books.record(pay(order_id="o1", amount="250.00"),
                 place_order(order_id="o2"), pay(order_id="o2"),
                 place_order(order_id="o3"), pay(order_id="o3"))
    assert books.report("reconciliation")["unbalanced_orders"] == []
    # When o3 is paid a second time
    books.record(pay(order_id="o3", amount="450.00"))
    # Then o3 is listed with what it was paid before any refund
    assert books.report("reconciliation")["unbalanced_orders"] == [
        {"order_id": "o3", "total": "450.00", "paid": "900.00"}]


def test_money_totals_feed_every_money_figure(books) -> None:
    record_money_story(books)
    totals = money_totals(SqlReader(books.store.database), books.context())
    # credits: issued 485, drawn 400, outstanding 60 = 485 − 400 − 25 expired
    expired_remaining = 2500  # c-gw expired untouched
    assert totals["credits_outstanding"] == (
        totals["credits_issued"] - totals["credits_applied"] - expired_remaining)
    assert totals == {"sales_total": 175000, "payments_total": 180000, "refunds_total": 50000,
                      "refund_count": 2, "net_revenue": 125000, "credits_outstanding": 6000,
                      "credits_issued": 48500, "credits_applied": 40000, "discrepancy": -5000}


def test_an_empty_conference_reports_zero_filled_breakdowns(books) -> None:
    books.record(configure_conference())
    reader, context = SqlReader(books.store.database), books.context()
    assert [(s["status"], s["count"], s["total"]) for s in orders_by_status(reader, context)] == [
        ("pending", 0, "0.00"), ("paid", 0, "0.00"), ("partially_refunded", 0, "0.00"),
        ("refunded", 0, "0.00"), ("cancelled", 0, "0.00")]
    assert payments_by_status(reader, context) == [
        {"status": "pending", "count": 0, "total": "0.00"},
        {"status": "succeeded", "count": 0, "total": "0.00"},
        {"status": "failed", "count": 0, "total": "0.00"}]
    assert books.report("refunds")["refund_rate"] == "0.00"
    assert books.report("card-fees")["effective_rate"] == "0.00"


def test_recent_orders_are_newest_placed_first_with_current_money(books) -> None:
    record_money_story(books)
    newest = recent_orders(SqlReader(books.store.database), books.context(), limit=3)
    assert [o["order_id"] for o in newest] == ["o7", "o6", "o5"]
    # o7 placed 13:00 UTC on Oct 4 = 09:00 in New York
    assert newest[0] == {"order_id": "o7", "reference": None, "customer_id": "cust-7",
                         "customer_name": "Gus", "customer_email": "gus@example.org",
                         "status": "paid", "total": "450.00", "paid": "500.00",
                         "refunded": "0.00", "placed_at": "2026-10-04T09:00:00-04:00"}
    older = recent_orders(SqlReader(books.store.database), books.context(), limit=20)
    assert [o["order_id"] for o in older][-2:] == ["o2", "o1"]
    assert (older[-1]["status"], older[-1]["refunded"]) == ("partially_refunded", "100.00")


def test_recent_orders_keep_a_bounded_window_even_for_late_arrivals(books) -> None:
    books.record(configure_conference(), define_ticket())
    # Given one more order than the window holds, then an order placed (effective) earlier
    books.record(*(place_order(order_id=f"o{n:03d}", time=f"2026-10-02T{n // 60:02d}:"
                               f"{n % 60:02d}:00+00:00") for n in range(RECENT_KEPT + 1)))
    books.record(place_order(order_id="late", time=at(1, 12)))
    # Then the window holds the newest RECENT_KEPT orders, oldest of them o001
    window = recent_orders(SqlReader(books.store.database), books.context(), limit=1000)
    assert len(window) == RECENT_KEPT
    assert (window[0]["order_id"], window[-1]["order_id"]) == (f"o{RECENT_KEPT:03d}", "o001")


def test_replays_build_the_money_reports_the_live_tables_build(books) -> None:
    record_money_story(books)

    def replayed(**cut: datetime) -> Rows:
        history = replay(books.ledger, [projection_classes()[name]() for name in READS],
                         "pycon", **cut)
        return history.rows

    # A replay of everything gives exactly the live reports
    everything = replayed()
    for name in ("reconciliation", "refunds", "waterfall", "card-fees", "credits"):
        assert reports()[name].build(everything, books.context()) == books.report(name)
    # As of the end of Oct 3 in New York: o1 (450 paid, 100 back to the card), o2 (400 paid,
    # 400 to c-refund), o3 (c-refund 400 + card 50); c-gw (25) issued, not yet expired
    early = reports()["reconciliation"].build(
        replayed(as_of=datetime(2026, 10, 3, 23, 59, tzinfo=ZoneInfo("America/New_York"))),
        books.context())
    assert {k: early[k] for k in ("sales_total", "payments_total", "refunds_total",
                                  "net_revenue", "credits_outstanding", "discrepancy")} == {
        "sales_total": "1300.00", "payments_total": "1300.00", "refunds_total": "500.00",
        "net_revenue": "800.00", "credits_outstanding": "25.00", "discrepancy": "0.00"}
