"""The money reports (`reconciliation`, `refunds`, `waterfall`) and the query functions every
other report and the financial dashboard call for money figures, so their numbers agree:
`money_totals`, `orders_by_status`, `payments_by_method`, `payments_by_status`, `recent_orders`.

Sales figures come from `projections.sales.queries.totals` (the one definition of revenue), credit
figures from the credits read model's totals row; nothing here scans orders, payments or events.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ledger import money
from ledger.credits import STATUSES as CREDIT_STATUSES
from ledger.orders import STATUSES as ORDER_STATUSES
from projections.credits.projection import STATUSES as CREDIT_COUNTS
from projections.credits.projection import TOTALS as CREDIT_TOTALS
from projections.reconciliation.formatting import (
    METRIC_COLUMNS,
    count_line,
    local_time,
    metric_lines,
)
from projections.reconciliation.payments import (
    METHODS,
    SUCCEEDED,
    payment_counts,
    payments_by_method,
    payments_by_status,
)
from projections.reconciliation.projection import ORDER_STATUSES as STATUS_COUNTS
from projections.reconciliation.projection import ORDERS, RECENT, RECENT_KEPT, TOTALS, UNBALANCED
from projections.reports import Body, Context, Report, key, register
from projections.sales.queries import totals as sales_totals
from projections.tables import Reader, Row, Table

__all__ = ["money_totals", "orders_by_status", "payments_by_method", "payments_by_status",
           "recent_orders"]
READS = ("sales", "reconciliation", "credits")


def totals_row(reader: Reader, table: Table, context: Context) -> Row:
    """The conference's single totals row of `table` (zeros before anything was counted)."""
    return reader.one(table, context.conference) or table.blank((context.conference,))


def money_totals(reader: Reader, context: Context) -> dict[str, int]:
    """Sales, payments, refunds and store credit over all time, in minor units."""
    sales = sales_totals(reader, context)["revenue"]
    counts = payment_counts(reader, context)
    payments = sum(counts.get((method, SUCCEEDED), (0, 0))[1] for method in METHODS)
    refunds = totals_row(reader, TOTALS, context)
    credits = totals_row(reader, CREDIT_TOTALS, context)
    return {
        "sales_total": sales, "payments_total": payments,
        "refunds_total": refunds["refunds"], "refund_count": refunds["refund_count"],
        "net_revenue": sales - refunds["refunds"],
        "credits_outstanding": credits["outstanding"], "credits_issued": credits["issued"],
        "credits_applied": credits["drawn"], "discrepancy": sales - payments,
    }


def orders_by_status(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """All orders per current status, all five zero-filled: {status, count, total}."""
    found = {r["status"]: (r["count"], r["total"])
             for r in reader.many(STATUS_COUNTS, context.conference)}
    return [count_line(context, "status", status, [found.get(status, (0, 0))])
            for status in ORDER_STATUSES]


def recent_orders(reader: Reader, context: Context, limit: int = 20) -> list[dict[str, Any]]:
    """The newest orders by placement time (at most `RECENT_KEPT`), newest first."""
    newest = reader.many(RECENT, context.conference,
                         order=(("placed_at", True), ("order_id", True)),
                         limit=min(limit, RECENT_KEPT))
    orders = {r["order_id"]: r for r in reader.many(
        ORDERS, context.conference, where={"order_id": [r["order_id"] for r in newest]})}
    return [order_line(context, orders[r["order_id"]]) for r in newest]


def order_line(context: Context, order: dict[str, Any]) -> dict[str, Any]:
    """One order as the reports list it (money as strings, time in the conference's zone)."""
    return {"order_id": order["order_id"], "reference": order["reference"],
            "customer_id": order["customer_id"], "customer_name": order["name"],
            "customer_email": order["email"], "status": order["status"],
            "total": context.money(order["total"]), "paid": context.money(order["paid"]),
            "refunded": context.money(order["refunded"]),
            "placed_at": local_time(context, order["placed_at"])}


def unbalanced_orders(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Sold orders whose succeeded payments (before refunds) differ from their total."""
    return [{"order_id": r["order_id"], "total": context.money(r["total"]),
             "paid": context.money(r["paid"])}
            for r in reader.stream(UNBALANCED, context.conference)]


_SUMMARY = (("sales_total", "Total Sales"), ("payments_total", "Total Payments"),
            ("refunds_total", "Total Refunds"), ("net_revenue", "Net Revenue"),
            ("credits_outstanding", "Credits Outstanding"), ("discrepancy", "Discrepancy"))


def build_reconciliation(reader: Reader, context: Context) -> Body:
    """Sales against payments, refunds and credit; `rows` are the lines of the CSV export."""
    sums = money_totals(reader, context)
    body: Body = {name: context.money(sums[name]) for name, _ in _SUMMARY}
    body |= {"by_payment_method": payments_by_method(reader, context),
             "by_order_status": orders_by_status(reader, context),
             "unbalanced_orders": unbalanced_orders(reader, context)}
    return body | {"rows": list(_reconciliation_lines(context, body, sums["refund_count"]))}


def _reconciliation_lines(context: Context, body: Body,
                          refund_count: int) -> Iterator[dict[str, Any]]:
    """The CSV lines; an unbalanced order's amount is paid − total (positive when overpaid)."""
    for name, label in _SUMMARY:
        count = refund_count if name == "refunds_total" else None
        yield {"section": "Summary", "item": label, "count": count, "amount": body[name]}
    for line in body["by_payment_method"]:
        yield {"section": "Payment Method", "item": line["method"], "count": line["count"],
               "amount": line["total"]}
    for line in body["by_order_status"]:
        yield {"section": "Order Status", "item": line["status"], "count": line["count"],
               "amount": line["total"]}
    for line in body["unbalanced_orders"]:
        yield {"section": "Unbalanced Order", "item": line["order_id"], "count": None,
               "amount": money.text(Decimal(line["paid"]) - Decimal(line["total"]),
                                    context.currency)}


def build_refunds(reader: Reader, context: Context) -> Body:
    """Refunds against revenue, by destination, and store credits by status."""
    sums = money_totals(reader, context)
    refunds = totals_row(reader, TOTALS, context)
    credits = {r["status"]: r["count"] for r in reader.many(CREDIT_COUNTS, context.conference)}
    return {
        "total_refunded": context.money(sums["refunds_total"]),
        "refund_count": sums["refund_count"],
        "total_revenue": context.money(sums["sales_total"]),
        "refund_rate": money.rate(sums["refunds_total"], sums["sales_total"]),
        "by_destination": {"original_payment": context.money(refunds["to_original_payment"]),
                           "store_credit": context.money(refunds["to_store_credit"])},
        "by_status": {status: credits.get(status, 0) for status in CREDIT_STATUSES},
    }


def build_waterfall(reader: Reader, context: Context) -> Body:
    """Gross sales, less discounts and refunds, down to net revenue (decreases negative)."""
    sales = sales_totals(reader, context)
    sums = money_totals(reader, context)
    steps = (("Gross Sales", sales["gross"], "total"),
             ("Discounts", -sales["discount"], "decrease"),
             ("Refunds", -sums["refunds_total"], "decrease"),
             ("Net Revenue", sums["net_revenue"], "total"))
    return {"rows": [{"label": label, "value": context.money(value), "type": kind}
                     for label, value, kind in steps]}


register(Report("reconciliation", READS, build_reconciliation,
                (("Section", key("section")), ("Item", key("item")), ("Count", key("count")),
                 ("Amount", key("amount")))))
register(Report("refunds", READS, build_refunds,
                METRIC_COLUMNS, csv_rows=metric_lines(build_refunds)))
register(Report("waterfall", READS, build_waterfall,
                (("Label", key("label")), ("Value", key("value")), ("Type", key("type")))))
