"""Top customers and customer segments, both over customers with a sold order, ranked alike.

The ranking is by total_revenue (Σ total of sold orders − their refunds) descending, then
customer_id, read with ORDER BY ... LIMIT so it stays fast however many customers there are.
Segments: `High Value` is the first ceil(n × 10 %) ranked customers (at least 1), `Medium Value`
the rest of the first ceil(n × 30 %), `Low Value` the others; the three rows always appear. Their
sums are taken from the revenue levels (customers per revenue, richest first): customers that tie
across a segment border have the same revenue, so the sums are those of the ranking.
"""

from __future__ import annotations

from typing import Any

from projections.customers.projection import CUSTOMERS, LEVELS, TOTALS
from projections.reports import Body, Context, Report, key, register
from projections.tables import Range, Reader

READS = ("customers",)
RANKING = (("total_revenue", True), ("customer_id", False))
WITH_SOLD_ORDER = {"order_count": Range(1, None)}


def build_top_customers(reader: Reader, context: Context) -> Body:
    limit = context.integer("limit", 10, 1, 1000)
    rows = [{"customer_id": c["customer_id"], "name": c["name"], "email": c["email"],
             "company": c["company"], "total_revenue": context.money(c["total_revenue"]),
             "order_count": c["order_count"]}
            for c in reader.many(CUSTOMERS, context.conference, where=WITH_SOLD_ORDER,
                                 order=RANKING, limit=limit)]
    return {"rows": rows}


def segment_sizes(n: int) -> tuple[int, int, int]:
    """How many of `n` ranked customers are High, Medium and Low Value."""
    high = max(1, -(-n // 10)) if n else 0
    top_30 = -(-n * 3 // 10)
    return high, top_30 - high, n - top_30


def build_customer_segments(reader: Reader, context: Context) -> Body:
    totals = reader.one(TOTALS, context.conference) or TOTALS.blank((context.conference,))
    high, medium, low = segment_sizes(totals["customers"])
    high_revenue, top_revenue = reader.top_sums(LEVELS, context.conference, "total_revenue",
                                                "customers", high, high + medium)
    medium_revenue = top_revenue - high_revenue
    low_revenue = totals["total_revenue"] - high_revenue - medium_revenue
    return {"rows": [_segment(context, "High Value", high, high_revenue),
                     _segment(context, "Medium Value", medium, medium_revenue),
                     _segment(context, "Low Value", low, low_revenue)]}


def _segment(context: Context, name: str, count: int, revenue: int) -> dict[str, Any]:
    return {"segment_name": name, "customer_count": count,
            "total_revenue": context.money(revenue),
            "average_revenue_per_customer": context.average(revenue, count)}


register(Report("top-customers", READS, build_top_customers,
                (("Customer ID", key("customer_id")), ("Name", key("name")),
                 ("Email", key("email")), ("Company", key("company")),
                 ("Total Revenue", key("total_revenue")), ("Orders", key("order_count"))),
                filters=("limit",)))
register(Report("customer-segments", READS, build_customer_segments,
                (("Segment", key("segment_name")), ("Customers", key("customer_count")),
                 ("Total Revenue", key("total_revenue")),
                 ("Average Revenue", key("average_revenue_per_customer")))))
