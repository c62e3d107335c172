"""The `credits` report: store credits newest first, a page at a time (`limit` + `cursor`, as
`attendees`; the CSV streams them all), with a summary over every credit whose money figures come
from `money_totals`, so they agree with the reconciliation report and the financial dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.credits import STATUSES
from projections.credits.projection import CREDITS, TOTALS
from projections.paging import read_page
from projections.reconciliation.formatting import local_time
from projections.reconciliation.queries import READS, money_totals, totals_row
from projections.reports import Body, Context, Report, key, register
from projections.tables import Reader

NEWEST_FIRST = (("created", True), ("credit_id", False))


def _where(context: Context) -> dict[str, Any] | None:
    """The `status` filter's condition, checked before the first row is read, so a bad
    `status` fails before a CSV starts."""
    status = context.choice("status", STATUSES)
    return {"status": status} if status else None


def credit_lines(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
    """Every credit, newest first (optionally of one `status`), streamed in pages."""
    rows = reader.stream(CREDITS, context.conference, where=_where(context), order=NEWEST_FIRST)
    return (_credit_line(context, row) for row in rows)


def _credit_line(context: Context, row: dict[str, Any]) -> dict[str, Any]:
    return {"credit_id": row["credit_id"], "customer_id": row["customer_id"],
            "email": row["email"], "amount": context.money(row["amount"]),
            "remaining": context.money(row["remaining"]), "status": row["status"],
            "source_order": row["source_order"], "applied_to_orders": row["applied_to"],
            "note": row["note"], "created": local_time(context, row["created"])}


def build_credits(reader: Reader, context: Context) -> Body:
    """A page of credits and a summary over all of them, its money from `money_totals`."""
    page = read_page(reader, CREDITS, context, kind="credit", order=NEWEST_FIRST,
                     where=_where(context))
    sums = money_totals(reader, context)
    count = totals_row(reader, TOTALS, context)["count"]
    return {"rows": [_credit_line(context, row) for row in page.rows],
            "next_cursor": page.next_cursor,
            "summary": {"count": count,
                        "total_issued": context.money(sums["credits_issued"]),
                        "total_outstanding": context.money(sums["credits_outstanding"]),
                        "total_applied": context.money(sums["credits_applied"])}}


register(Report("credits", READS, build_credits,
                (("User", key("customer_id")), ("Email", key("email")),
                 ("Amount", key("amount")), ("Remaining", key("remaining")),
                 ("Status", key("status")), ("Source Order", key("source_order")),
                 ("Applied To Order", lambda row: ", ".join(row["applied_to_orders"])),
                 ("Note", key("note")), ("Created", key("created"))),
                csv_rows=credit_lines, filters=("status", "limit", "cursor")))
