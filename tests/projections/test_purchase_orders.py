"""Purchase-orders report: balances and statuses from the ledger, invoiced figures that add up."""

from __future__ import annotations

from typing import Any

import pytest

from projections.catalogue import reports
from projections.purchase_orders.queries import po_money
from projections.reports import FilterError
from projections.store import SqlReader
from tests.factories import (
    cancel_purchase_order,
    configure_conference,
    create_purchase_order,
    issue_credit_note,
    record_po_payment,
    send_purchase_order,
)


def po_figures(books: Any) -> dict[str, int]:
    """The invoiced-PO figures in minor units, with the receivable identity checked."""
    figures = po_money(SqlReader(books.store.database), books.context())
    # Both sides are Σ balance_due over invoiced POs.
    assert figures["po_revenue"] - figures["po_collected"] == (
        figures["po_outstanding"] - figures["po_overpaid"])
    return figures


def six_statuses() -> list[dict[str, Any]]:
    """One PO in each status (amounts in the comments of the test below)."""
    return [
        configure_conference(),
        create_purchase_order(po_id="po-draft", total="1000.00"),
        create_purchase_order(po_id="po-sent", total="2000.00"),
        send_purchase_order(po_id="po-sent"),
        create_purchase_order(po_id="po-part", total="3000.00"),
        send_purchase_order(po_id="po-part"),
        record_po_payment(po_id="po-part", amount="1000.00", method="wire"),
        create_purchase_order(po_id="po-paid", total="1500.00"),
        send_purchase_order(po_id="po-paid"),
        record_po_payment(po_id="po-paid", amount="1000.00", method="ach"),
        issue_credit_note(po_id="po-paid", amount="500.00"),
        create_purchase_order(po_id="po-over", total="800.00"),
        send_purchase_order(po_id="po-over"),
        record_po_payment(po_id="po-over", amount="900.00", method="check"),
        create_purchase_order(po_id="po-void", total="700.00"),
        cancel_purchase_order(po_id="po-void"),
    ]


def test_summary_counts_every_status_and_sums_only_invoiced_pos(books) -> None:
    # Given one PO per status:
    #   draft 1000 | sent 2000 | partially_paid 3000 (wire 1000, balance 2000)
    #   paid 1500 (ach 1000 + credit note 500, balance 0) | overpaid 800 (check 900, balance −100)
    #   cancelled 700
    books.record(*six_statuses())
    summary = books.report("purchase-orders")["summary"]
    # Then every status shows, each with its count and Σ total
    assert summary["by_status"] == {
        "draft": {"count": 1, "total": "1000.00"}, "sent": {"count": 1, "total": "2000.00"},
        "partially_paid": {"count": 1, "total": "3000.00"},
        "paid": {"count": 1, "total": "1500.00"}, "overpaid": {"count": 1, "total": "800.00"},
        "cancelled": {"count": 1, "total": "700.00"}}
    assert summary["total_pos"] == 6
    # And the invoiced POs (sent, partially paid, paid, overpaid) give:
    #   invoiced 2000 + 3000 + 1500 + 800 = 7300, credited 500, revenue 6800
    #   collected 1000 + 1000 + 900 = 2900; outstanding 2000 + 2000 = 4000; overpaid 100
    #   6800 − 2900 = 3900 = 4000 − 100
    assert {k: summary[k] for k in ("po_invoiced", "po_credited", "po_revenue", "po_collected",
                                    "po_outstanding", "po_overpaid")} == {
        "po_invoiced": "7300.00", "po_credited": "500.00", "po_revenue": "6800.00",
        "po_collected": "2900.00", "po_outstanding": "4000.00", "po_overpaid": "100.00"}
    assert summary["payments_by_method"] == {
        "wire": {"count": 1, "total": "1000.00"}, "ach": {"count": 1, "total": "1000.00"},
        "check": {"count": 1, "total": "900.00"}, "stripe": {"count": 0, "total": "0.00"},
        "other": {"count": 0, "total": "0.00"}}
    assert po_figures(books)["po_revenue"] == 680000


def test_rows_show_each_po_balance_and_filter_by_status(books) -> None:
    books.record(*six_statuses())
    rows = books.report("purchase-orders", status="paid")["rows"]
    # The paid PO: 1500 − 1000 paid − 500 credited = 0 due
    assert rows == [{"po_id": "po-paid", "reference": "REF-po-paid",
                     "organization_name": "Initech", "status": "paid", "total": "1500.00",
                     "total_paid": "1000.00", "total_credited": "500.00",
                     "balance_due": "0.00", "created": "2026-10-01"}]
    overpaid = books.report("purchase-orders", status="overpaid")["rows"]
    assert overpaid[0]["balance_due"] == "-100.00"
    assert len(books.report("purchase-orders")["rows"]) == 6


def test_rows_filter_by_created_day_in_conference_timezone(books) -> None:
    # Given POs created at 02:00 UTC on Oct 3 (Oct 2 in New York) and on Oct 5
    books.record(configure_conference(),
                 create_purchase_order(po_id="po1", time="2026-10-03T02:00:00+00:00"),
                 create_purchase_order(po_id="po2", time="2026-10-05T14:00:00+00:00"))
    # Then Oct 2 finds the first, newest first without filters
    found = books.report("purchase-orders", date_from="2026-10-02", date_until="2026-10-02")
    assert [(r["po_id"], r["created"]) for r in found["rows"]] == [("po1", "2026-10-02")]
    assert [r["po_id"] for r in books.report("purchase-orders")["rows"]] == ["po2", "po1"]
    # And the summary still covers every PO
    assert found["summary"]["total_pos"] == 2


def test_rows_page_newest_first_within_the_filters_and_the_csv_streams_all(books) -> None:
    # Given six POs created the same day (newest first, ties by PO id)
    books.record(*six_statuses())
    first = books.report("purchase-orders", limit="4")
    second = books.report("purchase-orders", limit="4", cursor=first["next_cursor"])
    ids = [r["po_id"] for r in first["rows"] + second["rows"]]
    assert ids == sorted(ids) and len(ids) == 6
    assert second["next_cursor"] is None
    # A status filter pages within its POs; the summary always covers all six
    paid = books.report("purchase-orders", limit="1", status="paid")
    assert ([r["po_id"] for r in paid["rows"]], paid["next_cursor"]) == (["po-paid"], None)
    assert paid["summary"]["total_pos"] == 6
    lines = reports()["purchase-orders"].rows_for_csv(SqlReader(books.store.database),
                                                      books.context(limit="1"))
    assert [line["po_id"] for line in lines] == ids


def test_credit_note_on_a_draft_counts_once_the_po_is_sent(books) -> None:
    # Given a draft PO of 1000 with a credit note of 200: still draft, not invoiced
    books.record(configure_conference(), create_purchase_order(po_id="po1", total="1000.00"),
                 issue_credit_note(po_id="po1", amount="200.00"))
    assert po_figures(books)["po_invoiced"] == 0
    # When it is sent, it counts with its credit note: revenue 800 outstanding 800
    books.record(send_purchase_order(po_id="po1"))
    assert po_figures(books) == {"po_invoiced": 100000, "po_credited": 20000,
                                 "po_revenue": 80000, "po_collected": 0,
                                 "po_outstanding": 80000, "po_overpaid": 0}


def test_po_paid_by_payment_and_credit_note_and_overpaid_po_keep_the_identity(books) -> None:
    # Given a PO of 1200 paid by a 1000 wire and a 200 credit note (paid, balance 0)
    books.record(configure_conference(), create_purchase_order(po_id="po1", total="1200.00"),
                 send_purchase_order(po_id="po1"),
                 record_po_payment(po_id="po1", amount="1000.00"),
                 issue_credit_note(po_id="po1", amount="200.00"))
    assert po_figures(books) == {"po_invoiced": 120000, "po_credited": 20000,
                                 "po_revenue": 100000, "po_collected": 100000,
                                 "po_outstanding": 0, "po_overpaid": 0}
    # When a second PO of 500 is paid 650 by check (overpaid by 150)
    books.record(create_purchase_order(po_id="po2", total="500.00"),
                 send_purchase_order(po_id="po2"),
                 record_po_payment(po_id="po2", amount="650.00", method="check"))
    # Then revenue 1000 + 500 = 1500, collected 1650: 1500 − 1650 = 0 − 150
    figures = po_figures(books)
    assert (figures["po_revenue"], figures["po_collected"], figures["po_overpaid"]) == (
        150000, 165000, 15000)


def test_unknown_status_filter_is_refused(books) -> None:
    books.record(configure_conference())
    with pytest.raises(FilterError):
        books.report("purchase-orders", status="lost")
