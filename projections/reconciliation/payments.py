"""Payments by method and status, and the `card-fees` report over succeeded Stripe payments.

All of it reads the per-(method, status) counters of the reconciliation read model: at most
fifteen rows, however many payments there were.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger import money
from ledger.payments import FAILED, METHODS, PENDING, SUCCEEDED
from projections.reconciliation.formatting import METRIC_COLUMNS, count_line, metric_lines
from projections.reconciliation.projection import PAYMENTS, ReconciliationProjection
from projections.reports import Body, Context, Report, register
from projections.tables import Reader

PAYMENT_STATUSES = (PENDING, SUCCEEDED, FAILED)
STRIPE = "stripe"
Counts = dict[tuple[str, str], tuple[int, int]]


def payment_counts(reader: Reader, context: Context) -> Counts:
    """(method, status) → (count, total in minor units), for the methods and statuses seen."""
    return {(r["method"], r["status"]): (r["count"], r["total"])
            for r in reader.many(PAYMENTS, context.conference)}


def payments_by_method(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Succeeded payments per method, all five methods zero-filled: {method, count, total}."""
    counts = payment_counts(reader, context)
    return [count_line(context, "method", method, [counts.get((method, SUCCEEDED), (0, 0))])
            for method in METHODS]


def payments_by_status(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Payments of every method per status, zero-filled: {status, count, total}."""
    counts = payment_counts(reader, context)
    return [count_line(context, "status", status,
                  [counts.get((method, status), (0, 0)) for method in METHODS])
            for status in PAYMENT_STATUSES]


def card_fee_settings(reader: Reader, context: Context) -> tuple[Decimal, Decimal]:
    """The conference's card fee: percent of the amount, and fixed amount per payment."""
    row = reader.one(ReconciliationProjection.settings, context.conference)
    if row is None:  # an as-of moment before the conference was configured: no payments yet
        return Decimal(0), Decimal(0)
    return Decimal(row["config"]["card_fee_percent"]), Decimal(row["config"]["card_fee_fixed"])


def build_card_fees(reader: Reader, context: Context) -> Body:
    """Estimated processor fees: percent × total + fixed × count, half up."""
    counts = payment_counts(reader, context)
    count, total = counts.get((STRIPE, SUCCEEDED), (0, 0))
    percent, fixed = card_fee_settings(reader, context)
    estimate = context.amount(total) * percent / money.HUNDRED + fixed * count
    fees = money.to_minor(estimate, context.currency)
    stripe = {status: counts.get((STRIPE, status), (0, 0)) for status in PAYMENT_STATUSES}
    return {
        "stripe_total": context.money(total), "stripe_count": count,
        "card_fee_percent": str(percent), "card_fee_fixed": money.text(fixed, context.currency),
        "estimated_fees": context.money(fees), "net_after_fees": context.money(total - fees),
        "effective_rate": money.rate(fees, total),
        "by_status": {status: {"count": number, "total": context.money(amount)}
                      for status, (number, amount) in stripe.items()},
    }


register(Report("card-fees", ("reconciliation",), build_card_fees, METRIC_COLUMNS,
                csv_rows=metric_lines(build_card_fees)))
