"""Expenses, ROI and budget reports: what the conference spends, earns, and aimed for.

`expense_totals()` is the expenses report (one row per category, then totals) and
`expense_money()` its totals in minor units, which ROI and the budget use, so every report shows
the same `total_expenses`. The expenses report honours `date_from`/`date_until` on each expense's
own `date` (the day it was spent, as the sender gave it, not when it was recorded); category
budgets cover the whole conference, so a filtered report compares the period's spending with the
whole budget. ROI and budget take no date filters: they describe the conference as a whole.

ROI adds ticket revenue (reconciliation's `net_revenue`) and PO revenue (the purchase-orders
`po_revenue`); its money may be negative when expenses exceed revenue, and any ratio whose base is
0 is 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger import money
from projections.attendees.queries import attendee_count
from projections.expenses.projection import CATEGORIES, GRANT_TOTALS, SPENDING, ExpensesProjection
from projections.purchase_orders.queries import READS as PO_READS
from projections.purchase_orders.queries import po_money
from projections.reconciliation.formatting import METRIC_COLUMNS, metric_lines
from projections.reconciliation.queries import READS as MONEY_READS
from projections.reconciliation.queries import money_totals
from projections.reports import Context, Report, key, register
from projections.tables import Reader

READS = ("expenses",)
# Every read model ROI and the budget read, so an as-of replay rebuilds them all.
WHOLE_BOOKS = tuple(dict.fromkeys((*READS, *PO_READS, *MONEY_READS, "attendees")))


def _categories(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Every category with its budget and its spending in the requested days (minor units)."""
    spent = reader.sums(SPENDING, context.conference, "actual", "expense_count",
                        by="category_id", where={"date": context.days})
    return [{**category, **spent.get(category["category_id"], {"actual": 0, "expense_count": 0})}
            for category in reader.many(CATEGORIES, context.conference)]


def _sums(categories: list[dict[str, Any]]) -> dict[str, int]:
    return {"total_budget": sum(c["budget"] for c in categories if c["has_budget"]),
            "total_expenses": sum(c["actual"] for c in categories),
            "expense_count": sum(c["expense_count"] for c in categories)}


def expense_money(reader: Reader, context: Context) -> dict[str, int]:
    """total_budget, total_expenses (non-voided) and expense_count, in minor units."""
    return _sums(_categories(reader, context))


def expense_totals(reader: Reader, context: Context) -> dict[str, Any]:
    """The expenses report: rows per category, total_budget, total_expenses, budget_variance,
    budget_variance_pct, expense_count."""
    categories = _categories(reader, context)
    sums = _sums(categories)
    variance = sums["total_budget"] - sums["total_expenses"]
    return {"rows": [_category_row(context, c) for c in categories],
            "total_budget": context.money(sums["total_budget"]),
            "total_expenses": context.money(sums["total_expenses"]),
            "budget_variance": context.money(variance),
            "budget_variance_pct": money.rate(variance, sums["total_budget"]),
            "expense_count": sums["expense_count"]}


def _category_row(context: Context, category: dict[str, Any]) -> dict[str, Any]:
    budgeted = category["has_budget"]
    return {"category_id": category["category_id"], "name": category["name"],
            "budget": context.money(category["budget"]) if budgeted else None,
            "actual": context.money(category["actual"]),
            "variance": (context.money(category["budget"] - category["actual"])
                         if budgeted else None),
            "expense_count": category["expense_count"]}


def _revenue(reader: Reader, context: Context) -> dict[str, int]:
    ticket = money_totals(reader, context)["net_revenue"]
    po = po_money(reader, context)["po_revenue"]
    return {"ticket_revenue": ticket, "po_revenue": po, "total_revenue": ticket + po}


def roi_figures(reader: Reader, context: Context) -> dict[str, Any]:
    """Revenue (tickets + POs) against expenses, overall and per attendee."""
    revenue = _revenue(reader, context)
    total = revenue["total_revenue"]
    expenses = expense_money(reader, context)["total_expenses"]
    profit = total - expenses
    attendees = attendee_count(reader, context)
    return {**{name: context.money(value) for name, value in revenue.items()},
            "total_expenses": context.money(expenses),
            "gross_profit": context.money(profit),
            "gross_margin_pct": money.rate(profit, total),
            "roi_pct": money.rate(profit, expenses),
            "cost_per_attendee": context.average(expenses, attendees),
            "revenue_per_attendee": context.average(total, attendees)}




def budget_figures(reader: Reader, context: Context) -> dict[str, Any]:
    """Targets from the conference settings against actuals; only the targets that were set."""
    settings = reader.one(ExpensesProjection.settings, context.conference)
    config = (settings or {}).get("config") or {}
    figures: dict[str, Any] = {}
    if config.get("revenue_budget") is not None:
        target = _minor(context, config["revenue_budget"])
        actual = _revenue(reader, context)["total_revenue"]
        figures |= {"revenue_target": context.money(target),
                    "revenue_actual": context.money(actual),
                    "revenue_pct": money.rate(actual, target)}
    if config.get("target_attendance") is not None:
        attendees = attendee_count(reader, context)
        figures |= {"attendance_target": config["target_attendance"],
                    "attendance_actual": attendees,
                    "attendance_pct": money.rate(attendees, config["target_attendance"])}
    if config.get("grant_budget") is not None:
        figures |= _grant_figures(reader, context, _minor(context, config["grant_budget"]))
    return figures


def _grant_figures(reader: Reader, context: Context, target: int) -> dict[str, Any]:
    grants = reader.one(GRANT_TOTALS, context.conference) or GRANT_TOTALS.blank(
        (context.conference,))
    return {"grant_target": context.money(target),
            "grant_committed": context.money(grants["committed"]),
            "grant_disbursed": context.money(grants["disbursed"]),
            "grant_pct": money.rate(grants["committed"], target)}


def _minor(context: Context, amount: str) -> int:
    return money.to_minor(Decimal(amount), context.currency)


register(Report("expenses", READS, expense_totals,
                (("Category ID", key("category_id")), ("Category", key("name")),
                 ("Budget", key("budget")), ("Actual", key("actual")),
                 ("Variance", key("variance")), ("Expenses", key("expense_count"))),
                filters=("date_from", "date_until")))
register(Report("roi", WHOLE_BOOKS, roi_figures, METRIC_COLUMNS,
                csv_rows=metric_lines(roi_figures)))
register(Report("budget", WHOLE_BOOKS, budget_figures, METRIC_COLUMNS,
                csv_rows=metric_lines(budget_figures)))
