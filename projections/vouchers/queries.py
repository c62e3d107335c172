"""Voucher usage and discount-condition reports.

`times_used` counts non-cancelled orders (so redemption can pass 100 % when the checkout let an
order beyond `max_uses` through); a voucher's revenue impact is the sales read model's
`voucher_discounts()`, the same number discount-impact's `by_voucher` shows.
"""

from __future__ import annotations

from typing import Any

from ledger import money
from projections.reports import Body, Context, Report, key, register, yes_no
from projections.sales.queries import voucher_discounts
from projections.tables import Reader, Row
from projections.vouchers.projection import CONDITIONS, VOUCHERS

GROUPS = (("time_or_stock_limit", "Time/Stock Limit"), ("speaker", "Speaker"),
          ("group_member", "Group Member"), ("included_product", "Included Product"),
          ("product_discount", "Product Discount"), ("category_discount", "Category Discount"))
TYPE_LABELS = {"comp": "Comp", "percentage": "Percentage", "fixed_amount": "Fixed Amount"}


def _vouchers(reader: Reader, context: Context) -> list[tuple[Row, int]]:
    """Every voucher with its revenue impact in minor units."""
    impact = voucher_discounts(reader, context)
    return [(voucher, impact.get(voucher["code"], (0, 0))[0])
            for voucher in reader.many(VOUCHERS, context.conference)]


def _summary(context: Context, vouchers: list[tuple[Row, int]]) -> dict[str, Any]:
    """{total, active, used, total_revenue_impact}: THE voucher summary (the dashboard shows
    the vouchers report's)."""
    return {"total": len(vouchers),
            "active": sum(1 for voucher, _ in vouchers if voucher["is_active"]),
            "used": sum(1 for voucher, _ in vouchers if voucher["times_used"] > 0),
            "total_revenue_impact": context.money(sum(impact for _, impact in vouchers))}


def _voucher_row(context: Context, voucher: Row, impact: int) -> dict[str, Any]:
    return {"code": voucher["code"], "voucher_type": voucher["voucher_type"],
            "discount_value": voucher["discount_value"], "max_uses": voucher["max_uses"],
            "times_used": voucher["times_used"],
            "redemption_rate": money.rate(voucher["times_used"], voucher["max_uses"]),
            "revenue_impact": context.money(impact), "is_active": voucher["is_active"],
            "valid_from": voucher["valid_from"], "valid_until": voucher["valid_until"]}


def build_vouchers(reader: Reader, context: Context) -> Body:
    """Vouchers, most used first (then by code), and their summary."""
    vouchers = _vouchers(reader, context)
    rows = sorted((_voucher_row(context, voucher, impact) for voucher, impact in vouchers),
                  key=lambda row: (-row["times_used"], row["code"]))
    return {"rows": rows, "summary": _summary(context, vouchers)}


def _condition(row: Row) -> dict[str, Any]:
    return {"name": row["name"], "is_active": row["is_active"], "priority": row["priority"],
            "discount_type": row["discount_type"], "discount_value": row["discount_value"],
            "times_used": row["times_used"], "limit": row["use_limit"],
            "applicable_products": row["applicable_products"]}


def build_discounts(reader: Reader, context: Context) -> Body:
    """Conditions grouped by type (in the organisers' order; empty groups left out), each
    group by priority then name; `rows` lists the same conditions flat with their group."""
    conditions = reader.many(CONDITIONS, context.conference,
                             order=(("priority", False), ("name", False),
                                    ("condition_id", False)))
    grouped = [(label, [_condition(c) for c in conditions if c["condition_type"] == kind])
               for kind, label in GROUPS]
    grouped = [(label, members) for label, members in grouped if members]
    return {"groups": [{"label": label, "conditions": members} for label, members in grouped],
            "rows": [{"group": label, **condition}
                     for label, members in grouped for condition in members]}


def _products(row: dict[str, Any]) -> str:
    return "; ".join(row["applicable_products"]) or "All products"


register(Report("vouchers", ("vouchers", "sales"), build_vouchers, (
    ("Code", key("code")), ("Type", lambda row: TYPE_LABELS[row["voucher_type"]]),
    ("Discount Value", key("discount_value")), ("Max Uses", key("max_uses")),
    ("Times Used", key("times_used")), ("Redemption Rate", key("redemption_rate")),
    ("Revenue Impact", key("revenue_impact")), ("Active", yes_no("is_active")),
    ("Valid From", key("valid_from")), ("Valid Until", key("valid_until")))))
register(Report("discounts", ("vouchers",), build_discounts, (
    ("Name", key("name")), ("Type", key("group")), ("Active", yes_no("is_active")),
    ("Priority", key("priority")),
    ("Discount Type", lambda row: TYPE_LABELS[row["discount_type"]]),
    ("Discount Value", key("discount_value")), ("Times Used", key("times_used")),
    ("Limit", key("limit")), ("Applicable Products", _products))))
