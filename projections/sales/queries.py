"""Sales reports: sold orders by paid day, ticket type, voucher; the one definition of revenue.

`totals()` is THE sales total (Σ total of sold orders) that reconciliation, the waterfall, refunds,
ROI and the financial dashboard all show.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from ledger import money
from projections.reports import Body, Context, Report, key, register
from projections.sales.projection import DAYS, PLACED_DAYS, TICKET_DAYS, TOTALS, VOUCHER_DAYS
from projections.tables import Range, Reader

READS = ("sales",)


def totals(reader: Reader, context: Context) -> dict[str, int]:
    """Sold orders over all time: orders, revenue (Σ total), gross, discount (minor units)."""
    row = reader.one(TOTALS, context.conference) or TOTALS.blank((context.conference,))
    return {k: row[k] for k in ("orders", "revenue", "gross", "discount", "with_discount")}


def period_totals(reader: Reader, context: Context) -> dict[str, int]:
    """Like `totals()`, over the requested paid-day range (all time without filters)."""
    if context.days == Range():
        return totals(reader, context)
    sums: dict[str, int] = defaultdict(int)
    for row in reader.many(DAYS, context.conference, where={"day": context.days}):
        for column in ("orders", "revenue", "gross", "discount", "with_discount"):
            sums[column] += row[column]
    return {k: sums[k] for k in ("orders", "revenue", "gross", "discount", "with_discount")}


def _bucket(day: str, period: str) -> str:
    moment = date.fromisoformat(day)
    if period == "week":
        return (moment - timedelta(days=moment.weekday())).isoformat()
    if period == "month":
        return moment.replace(day=1).isoformat()
    return day


def _by_period(reader: Reader, context: Context) -> list[dict[str, Any]]:
    period = context.choice("period", ("day", "week", "month"), "day") or "day"
    buckets: dict[str, dict[str, int]] = {}
    for row in reader.many(DAYS, context.conference, where={"day": context.days}):
        bucket = buckets.setdefault(_bucket(row["day"], period), {"count": 0, "revenue": 0})
        bucket["count"] += row["orders"]
        bucket["revenue"] += row["revenue"]
    return [{"date": day, **sums} for day, sums in sorted(buckets.items())]


def build_sales(reader: Reader, context: Context) -> Body:
    rows = [{"date": r["date"], "count": r["count"], "revenue": context.money(r["revenue"])}
            for r in _by_period(reader, context)]
    return {"rows": rows}


def build_aov(reader: Reader, context: Context) -> Body:
    rows = [{"date": r["date"], "aov": context.average(r["revenue"], r["count"]),
             "count": r["count"]} for r in _by_period(reader, context)]
    return {"rows": rows}


def build_revenue_by_ticket_type(reader: Reader, context: Context) -> Body:
    where: dict[str, Any] = {"day": context.days}
    if "ticket_type" in context.params:
        where["ticket_type"] = context.params["ticket_type"]
    rows = [{"date": r["day"], "ticket_type": r["ticket_type"],
             "revenue": context.money(r["revenue"]), "count": r["count"]}
            for r in reader.many(TICKET_DAYS, context.conference, where=where)]
    return {"rows": rows}


def build_cumulative(reader: Reader, context: Context) -> Body:
    days = context.days
    before = 0
    if days.low is not None:
        earlier = Range(None, (date.fromisoformat(days.low) - timedelta(days=1)).isoformat())
        before = sum(r["revenue"] for r in reader.many(DAYS, context.conference,
                                                        where={"day": earlier}))
    rows, running = [], before
    for row in reader.many(DAYS, context.conference, where={"day": days}):
        running += row["revenue"]
        rows.append({"date": row["day"], "daily": context.money(row["revenue"]),
                     "cumulative": context.money(running)})
    return {"rows": rows}


def voucher_discounts(reader: Reader, context: Context) -> dict[str, tuple[int, int]]:
    """Voucher code → (Σ discount_amount, orders) of sold orders, over the paid-day range.

    THE revenue impact of a voucher: discount-impact and the vouchers report both show it.
    """
    found = reader.sums(VOUCHER_DAYS, context.conference, "discount", "orders", by="code",
                        where={"day": context.days})
    return {code: (sums["discount"], sums["orders"]) for code, sums in found.items()}


def build_discount_impact(reader: Reader, context: Context) -> Body:
    sums = period_totals(reader, context)
    ranked = sorted(voucher_discounts(reader, context).items(),
                    key=lambda item: (-item[1][0], item[0]))
    return {
        "total_gross": context.money(sums["gross"]),
        "total_discount": context.money(sums["discount"]),
        "total_net": context.money(sums["revenue"]),
        "discount_rate": money.rate(sums["discount"], sums["gross"]),
        "orders_with_discount": sums["with_discount"],
        "orders_without_discount": sums["orders"] - sums["with_discount"],
        "by_voucher": [{"code": code, "discount_total": context.money(discount),
                        "order_count": orders} for code, (discount, orders) in ranked],
    }


def build_sales_overview(reader: Reader, context: Context) -> Body:
    days = context.days
    sums = period_totals(reader, context)
    new = sum(r["new_customers"] for r in reader.many(DAYS, context.conference,
                                                      where={"day": days}))
    placed = reader.many(PLACED_DAYS, context.conference, where={"day": days})
    return {
        "date_from": days.low, "date_until": days.high,
        "total_revenue": context.money(sums["revenue"]),
        "total_orders": sums["orders"],
        "average_order_value": context.average(sums["revenue"], sums["orders"]),
        "new_customers": new,
        "conversion_rate": money.rate(sum(r["sold"] for r in placed),
                                      sum(r["placed"] for r in placed)),
    }


_PERIOD = ("date_from", "date_until", "period")
register(Report("sales", READS, build_sales,
                (("Date", key("date")), ("Orders", key("count")), ("Revenue", key("revenue"))),
                filters=_PERIOD))
register(Report("aov", READS, build_aov,
                (("Date", key("date")), ("AOV", key("aov")), ("Orders", key("count"))),
                filters=_PERIOD))
register(Report("revenue-by-ticket-type", READS, build_revenue_by_ticket_type,
                (("Date", key("date")), ("Ticket Type", key("ticket_type")),
                 ("Revenue", key("revenue")), ("Count", key("count"))),
                filters=("date_from", "date_until", "ticket_type")))
register(Report("cumulative-revenue", READS, build_cumulative,
                (("Date", key("date")), ("Daily", key("daily")),
                 ("Cumulative", key("cumulative"))), filters=("date_from", "date_until")))
register(Report("discount-impact", READS, build_discount_impact,
                (("Code", key("code")), ("Discount Total", key("discount_total")),
                 ("Orders", key("order_count"))),
                csv_rows=lambda r, c: iter(build_discount_impact(r, c)["by_voucher"]),
                filters=("date_from", "date_until")))
register(Report("sales-overview", READS, build_sales_overview,
                (("Metric", key("metric")), ("Value", key("value"))),
                csv_rows=lambda r, c: iter({"metric": k, "value": v} for k, v
                                           in build_sales_overview(r, c).items()),
                filters=("date_from", "date_until")))
