"""The two dashboards as reports: `dashboard` (the reports landing page) and `financial`.

They own no tables and compute no figure of their own: every number comes from the query function
or report builder that defines it (sales totals, `money_totals`, `orders_by_status`, the
inventory rows, the purchase-order summary, ROI, budget...), so a dashboard always agrees with the
report that shows the same quantity. What they add is the choice of figures and the window of the
last 30 days (ending on `context.now`'s day in the conference timezone), zero-filled so a chart
shows quiet days as zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ledger import money
from projections.attendees.queries import attendee_summary, build_flow
from projections.carts.queries import active_carts, carts_by_status
from projections.dashboards import orders  # noqa: F401  (registers the drill-down report)
from projections.expenses.queries import budget_figures, expense_totals, roi_figures
from projections.inventory.queries import inventory_rows
from projections.purchase_orders.queries import po_summary
from projections.reconciliation.payments import (
    build_card_fees,
    payments_by_method,
    payments_by_status,
)
from projections.reconciliation.queries import (
    build_refunds,
    build_waterfall,
    money_totals,
    orders_by_status,
    recent_orders,
)
from projections.reports import REPORTS, Body, Context, Report, key, register
from projections.sales.queries import (
    build_aov,
    build_cumulative,
    build_discount_impact,
    build_revenue_by_ticket_type,
    build_sales,
)
from projections.sales.queries import totals as sales_totals
from projections.speakers.queries import speaker_summary
from projections.tables import Reader
from projections.vouchers.queries import build_vouchers

WINDOW_DAYS = 30
RECENT_ORDERS = 20
TOP_VOUCHERS = 10
# The chart series of the financial dashboard: each is exactly that report's body.
FINANCIAL_CHARTS: dict[str, Callable[[Reader, Context], Body]] = {
    "sales": build_sales, "aov": build_aov, "revenue-by-ticket-type": build_revenue_by_ticket_type,
    "waterfall": build_waterfall, "cumulative-revenue": build_cumulative,
    "discount-impact": build_discount_impact, "refunds": build_refunds,
    "card-fees": build_card_fees}


def reads(*report_names: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The read models of the named reports (and `extra`), each once."""
    names = [model for name in report_names for model in REPORTS[name].read_models]
    return tuple(dict.fromkeys([*names, *extra]))


def window(context: Context, days: int = WINDOW_DAYS) -> tuple[Context, list[str]]:
    """`context` narrowed to the last `days` days up to today (conference time), and those days."""
    today = context.now.astimezone(ZoneInfo(context.timezone)).date()
    every = [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    narrowed = dataclasses.replace(context, params={"date_from": every[0],
                                                    "date_until": every[-1]})
    return narrowed, every


def zero_filled(rows: list[dict[str, Any]], days: list[str],
                empty: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per day of `days`: the report's row, or `empty` for a day it omitted."""
    found = {row["date"]: row for row in rows}
    return [found.get(day, {"date": day, **empty}) for day in days]


def build_dashboard(reader: Reader, context: Context) -> Body:
    """The reports landing page: attendees, stock, orders, payments, vouchers, speakers, the
    last 30 days of registrations and revenue, and the budget."""
    recent, days = window(context)
    attendees = attendee_summary(reader, context)
    vouchers = build_vouchers(reader, context)
    return {
        "window": {"date_from": days[0], "date_until": days[-1]},
        "attendees": attendees,
        "check_in": {"checked_in": attendees["checked_in"], "total": attendees["total"],
                     "rate": money.rate(attendees["checked_in"], attendees["total"])},
        "inventory": inventory_rows(reader, context),
        "orders_by_status": orders_by_status(reader, context),
        "payments_by_method": payments_by_method(reader, context),
        "vouchers": vouchers["summary"],
        "voucher_redemption": vouchers["rows"][:TOP_VOUCHERS],
        "speakers": speaker_summary(reader, context),
        "flow": zero_filled(build_flow(reader, recent)["rows"], days,
                            {"registrations": 0, "cancellations": 0, "net": 0}),
        "budget": budget_figures(reader, context),
        "revenue": zero_filled(build_sales(reader, recent)["rows"], days,
                               {"count": 0, "revenue": context.money(0)}),
    }


def build_financial(reader: Reader, context: Context) -> Body:
    """The financial dashboard: revenue and credit, orders, carts, payments, stock, purchase
    orders, budget, expenses, ROI and the chart series of the money reports."""
    sums = money_totals(reader, context)
    carts = carts_by_status(reader, context)
    return {
        "summary": {"net_revenue": context.money(sums["net_revenue"]),
                    "orders": sales_totals(reader, context)["orders"],
                    "active_carts": carts["active"],
                    "credits_outstanding": context.money(sums["credits_outstanding"])},
        "revenue": {name: context.money(sums[source]) for name, source in (
            ("total", "sales_total"), ("refunded", "refunds_total"), ("net", "net_revenue"),
            ("credits_issued", "credits_issued"),
            ("credits_outstanding", "credits_outstanding"),
            ("credits_applied", "credits_applied"))},
        "orders_by_status": orders_by_status(reader, context),
        "carts_by_status": carts,
        "payments_by_method": payments_by_method(reader, context),
        "payments_by_status": payments_by_status(reader, context),
        "ticket_sales": inventory_rows(reader, context),
        "recent_orders": recent_orders(reader, context, RECENT_ORDERS),
        "active_carts": active_carts(reader, context),
        "purchase_orders": po_summary(reader, context),
        "budget": budget_figures(reader, context),
        "expenses": expense_totals(reader, context),
        "roi": roi_figures(reader, context),
        "charts": {name: build(reader, context) for name, build in FINANCIAL_CHARTS.items()},
    }


_SECTION_COLUMNS = (("Section", key("section")), ("Item", key("item")),
                    ("Value", key("value")))


def _lines(build: Callable[[Reader, Context], Body]) -> Callable[[Reader, Context], Any]:
    """CSV lines of a dashboard: every scalar figure as {section, item, value}."""
    def lines(reader: Reader, context: Context) -> Iterable[dict[str, Any]]:
        for section, value in build(reader, context).items():
            yield from _flatten(section, value)
    return lines


def _flatten(section: str, value: Any, item: str = "") -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _flatten(section, inner, f"{item}.{name}" if item else str(name))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _flatten(section, inner, f"{item}[{index}]" if item else f"[{index}]")
    else:
        yield {"section": section, "item": item, "value": value}


register(Report("dashboard",
                reads("attendees", "inventory", "reconciliation", "vouchers", "speakers",
                      "budget", "sales", "flow"),
                build_dashboard, _SECTION_COLUMNS, csv_rows=_lines(build_dashboard)))
register(Report("financial",
                reads("reconciliation", "inventory", "purchase-orders", "budget", "expenses",
                      "roi", *FINANCIAL_CHARTS, extra=("carts",)),
                build_financial, _SECTION_COLUMNS, csv_rows=_lines(build_financial),
                role="finance"))
