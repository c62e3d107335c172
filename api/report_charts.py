"""Which chart each report draws, built from its JSON body (contract §4 keys).

The dashboards reuse these builders on the parts of their bodies that are report bodies, so a
report page and a dashboard draw the same figures the same way.
"""

from __future__ import annotations

from typing import Any

from api.charts import (
    Builder,
    Spec,
    chart,
    column,
    dated,
    donut,
    gauge,
    generic,
    pivot,
    series,
    waterfall_bars,
)
from api.presenting import label


def sales(body: dict[str, Any]) -> list[Spec]:
    return [dated("Revenue and orders", body["rows"], "revenue", "Revenue")]


def aov(body: dict[str, Any]) -> list[Spec]:
    return [dated("Average order value", body["rows"], "aov", "AOV")]


def revenue_by_ticket_type(body: dict[str, Any]) -> list[Spec]:
    labels, datasets = pivot(body["rows"], "date", "ticket_type", "revenue")
    return [chart("Revenue by ticket type", "bar", labels, datasets, stacked=True)]


def cumulative_revenue(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Cumulative revenue", "line", column(rows, "date"),
                  [series("Cumulative", column(rows, "cumulative")),
                   series("Daily", column(rows, "daily"), kind="bar", axis="y1")],
                  second_axis="Daily")]


def discount_impact(body: dict[str, Any]) -> list[Spec]:
    vouchers = body["by_voucher"]
    return [donut("Orders with and without discount",
                  {"with_discount": body["orders_with_discount"],
                   "without_discount": body["orders_without_discount"]}),
            chart("Discount by voucher", "bar", column(vouchers, "code"),
                  [series("Discount", column(vouchers, "discount_total"))])]


def refunds(body: dict[str, Any]) -> list[Spec]:
    return [gauge("Refund rate", body["refund_rate"], "Refunded", "Kept"),
            donut("Refunds by destination", body["by_destination"])]


def waterfall(body: dict[str, Any]) -> list[Spec]:
    return [waterfall_bars(body["rows"])]


def reconciliation(body: dict[str, Any]) -> list[Spec]:
    return [_by("Payments by method", body["by_payment_method"], "method", "total"),
            _by("Orders by status", body["by_order_status"], "status", "count")]


def _by(title: str, entries: list[dict[str, Any]], name: str, value: str) -> Spec:
    return donut(title, {entry[name]: entry[value] for entry in entries})


def inventory(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Ticket inventory", "bar", column(rows, "name"),
                  [series("Sold", column(rows, "sold")),
                   series("Reserved", column(rows, "reserved")),
                   series("Remaining", column(rows, "remaining"))],
                  stacked=True, horizontal=True)]


def credits(body: dict[str, Any]) -> list[Spec]:
    names = ("total_issued", "total_applied", "total_outstanding")
    summary = body["summary"]
    return [chart("Store credit", "bar", [label(n) for n in names],
                  [series("Amount", [summary[n] for n in names],
                          tones=["total", "increase", "accent"])],
                  options={"plugins": {"legend": {"display": False}}})]


def vouchers(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Voucher redemption", "bar", column(rows, "code"),
                  [series("Times used", column(rows, "times_used")),
                   series("Max uses", column(rows, "max_uses"))])]


def discounts(body: dict[str, Any]) -> list[Spec]:
    conditions = [c for group in body["groups"] for c in group["conditions"]]
    return [chart("Discount conditions used", "bar", column(conditions, "name"),
                  [series("Times used", column(conditions, "times_used"))], horizontal=True)]


def attendees(body: dict[str, Any]) -> list[Spec]:
    summary = body["summary"]
    return [donut("Check-in", {"checked_in": summary["checked_in"],
                               "not_checked_in": summary["total"] - summary["checked_in"]})]


def flow(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Registration flow", "bar", column(rows, "date"),
                  [series("Registrations", column(rows, "registrations")),
                   series("Cancellations", column(rows, "cancellations")),
                   series("Net", column(rows, "net"), kind="line")])]


def speakers(body: dict[str, Any]) -> list[Spec]:
    summary = body["summary"]
    return [donut("Speaker registration", {"registered": summary["registered"],
                                           "unregistered": summary["unregistered"]})]


PO_MONEY = ("po_invoiced", "po_credited", "po_collected", "po_outstanding", "po_overpaid")


def purchase_orders(body: dict[str, Any]) -> list[Spec]:
    summary = body["summary"]
    by_status = summary["by_status"]
    return [chart("Purchase orders by status", "bar", [label(s) for s in by_status],
                  [series("Count", [v["count"] for v in by_status.values()]),
                   series("Total", [v["total"] for v in by_status.values()], kind="line",
                          axis="y1")], second_axis="Total"),
            chart("Purchase-order balance", "bar", [label(n) for n in PO_MONEY],
                  [series("Amount", [summary[n] for n in PO_MONEY],
                          tones=["total", "decrease", "increase", "accent", "decrease"])],
                  options={"plugins": {"legend": {"display": False}}})]


def expenses(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Expenses vs budget", "bar", column(rows, "name"),
                  [series("Budget", column(rows, "budget")),
                   series("Actual", column(rows, "actual"))])]


def roi(body: dict[str, Any]) -> list[Spec]:
    names = ("ticket_revenue", "po_revenue", "total_expenses", "gross_profit")
    return [chart("Return on investment", "bar", [label(n) for n in names],
                  [series("Amount", [body[n] for n in names])],
                  options={"plugins": {"legend": {"display": False}}})]


def budget(body: dict[str, Any]) -> list[Spec]:
    parts = [(name, body[f"{name}_pct"]) for name in ("revenue", "attendance", "grant")
             if f"{name}_pct" in body]
    return [chart("Budget vs actuals (% of target)", "bar", [label(n) for n, _ in parts],
                  [series("% of target", [pct for _, pct in parts])], horizontal=True,
                  options={"plugins": {"legend": {"display": False}}})]


def card_fees(body: dict[str, Any]) -> list[Spec]:
    return [donut("Card payments after fees", {"net_after_fees": body["net_after_fees"],
                                               "estimated_fees": body["estimated_fees"]})]


def top_customers(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Top customers", "bar", column(rows, "name"),
                  [series("Revenue", column(rows, "total_revenue"))], horizontal=True)]


def customer_segments(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [donut("Customers by segment", {r["segment_name"]: r["customer_count"] for r in rows}),
            chart("Revenue by segment", "bar", column(rows, "segment_name"),
                  [series("Revenue", column(rows, "total_revenue"))])]


def trial_balance(body: dict[str, Any]) -> list[Spec]:
    rows = body["rows"]
    return [chart("Trial balance", "bar", column(rows, "account"),
                  [series("Debit", column(rows, "debit")),
                   series("Credit", column(rows, "credit"))], horizontal=True)]


CHARTS: dict[str, Builder] = {
    "sales": sales, "aov": aov, "revenue-by-ticket-type": revenue_by_ticket_type,
    "cumulative-revenue": cumulative_revenue, "discount-impact": discount_impact,
    "refunds": refunds, "waterfall": waterfall, "reconciliation": reconciliation,
    "inventory": inventory, "credits": credits, "vouchers": vouchers, "discounts": discounts,
    "attendees": attendees, "flow": flow, "speakers": speakers,
    "purchase-orders": purchase_orders, "expenses": expenses, "roi": roi, "budget": budget,
    "card-fees": card_fees, "top-customers": top_customers,
    "customer-segments": customer_segments, "trial-balance": trial_balance,
}


def charts_for(name: str, body: dict[str, Any]) -> list[Spec]:
    """The charts of report `name`, from its body; a generic one if it has none of its own."""
    builder = CHARTS.get(name)
    try:
        return builder(body) if builder else generic(body, label(name))
    except (KeyError, TypeError):
        # A body without the keys its chart expects (a report still being built): draw what the
        # rows or key figures offer rather than fail the page.
        return generic(body, label(name))
