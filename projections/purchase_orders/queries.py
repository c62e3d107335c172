"""The purchase-orders report: POs with their balances, and the one definition of PO revenue.

`po_money()` is THE set of PO figures in minor units (ROI adds `po_revenue` to ticket revenue, the
financial dashboard shows the summary); `po_summary()` is the contract's summary, as money. Over
invoiced POs (not draft, not cancelled): po_revenue − po_collected = po_outstanding − po_overpaid,
because both sides are Σ balance_due.

Filters `status` and `date_from`/`date_until` (the PO's created day) narrow the rows only; the
summary always covers every PO of the conference. The JSON rows come a page at a time (`limit` +
`cursor`, as `attendees`); the CSV streams every matching PO.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.purchase_orders import METHODS, STATUSES
from projections.paging import read_page
from projections.purchase_orders.projection import METHOD_TOTALS, POS, STATUS_TOTALS, TOTALS
from projections.reports import Body, Context, Report, key, register
from projections.tables import Reader, Row, Table

READS = ("purchase_orders",)
NEWEST_FIRST = (("created", True), ("po_id", False))


def po_money(reader: Reader, context: Context) -> dict[str, int]:
    """Invoiced-PO figures in minor units: invoiced, credited, revenue, collected, outstanding,
    overpaid."""
    row = reader.one(TOTALS, context.conference) or TOTALS.blank((context.conference,))
    return {"po_invoiced": row["po_invoiced"], "po_credited": row["po_credited"],
            "po_revenue": row["po_invoiced"] - row["po_credited"],
            "po_collected": row["po_collected"], "po_outstanding": row["po_outstanding"],
            "po_overpaid": row["po_overpaid"]}


def po_summary(reader: Reader, context: Context) -> dict[str, Any]:
    """The contract's PO summary: money as strings, statuses and methods zero-filled."""
    by_status = _count_totals(reader, context, STATUS_TOTALS, "status", STATUSES)
    return {
        "by_status": by_status,
        "total_pos": sum(entry["count"] for entry in by_status.values()),
        **{name: context.money(value) for name, value in po_money(reader, context).items()},
        "payments_by_method": _count_totals(reader, context, METHOD_TOTALS, "method", METHODS),
    }


def _count_totals(reader: Reader, context: Context, table: Table, column: str,
                  names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """{name: {count, total}} for every name, zero-filled."""
    found = {row[column]: row for row in reader.many(table, context.conference)}
    sums = {name: found.get(name, {"count": 0, "total": 0}) for name in names}
    return {name: {"count": row["count"], "total": context.money(row["total"])}
            for name, row in sums.items()}


def _where(context: Context) -> dict[str, Any]:
    """The conditions of the filters, checked before any row is read (so a bad one fails the
    request, not a CSV halfway through)."""
    where: dict[str, Any] = {"created": context.days}
    status = context.choice("status", STATUSES)
    if status is not None:
        where["status"] = status
    return where


def _po_rows(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
    """Every PO matching the filters, newest first, streamed (paging does not apply)."""
    return (_po_row(context, po) for po in reader.stream(POS, context.conference,
                                                         where=_where(context),
                                                         order=NEWEST_FIRST))


def _po_row(context: Context, po: Row) -> dict[str, Any]:
    return {"po_id": po["po_id"], "reference": po["reference"],
            "organization_name": po["organization_name"], "status": po["status"],
            "total": context.money(po["total"]), "total_paid": context.money(po["paid"]),
            "total_credited": context.money(po["credited"]),
            "balance_due": context.money(po["total"] - po["paid"] - po["credited"]),
            "created": po["created"]}


def build_purchase_orders(reader: Reader, context: Context) -> Body:
    """One page of POs, newest first, `next_cursor` for the next, and the summary of all."""
    page = read_page(reader, POS, context, kind="po", order=NEWEST_FIRST, where=_where(context))
    return {"rows": [_po_row(context, po) for po in page.rows], "next_cursor": page.next_cursor,
            "summary": po_summary(reader, context)}


register(Report("purchase-orders", READS, build_purchase_orders,
                (("PO ID", key("po_id")), ("Reference", key("reference")),
                 ("Organization", key("organization_name")), ("Status", key("status")),
                 ("Total", key("total")), ("Paid", key("total_paid")),
                 ("Credited", key("total_credited")), ("Balance Due", key("balance_due")),
                 ("Created", key("created"))),
                csv_rows=_po_rows, filters=("date_from", "date_until", "status", "limit", "cursor"),
                role="finance"))
