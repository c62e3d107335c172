"""Cart figures for the financial dashboard: counts per status and the newest open carts."""

from __future__ import annotations

from typing import Any

from ledger.carts import STATUSES
from projections.carts.projection import ACTIVE_CARTS
from projections.carts.projection import STATUSES as STATUS_COUNTS
from projections.reconciliation.formatting import local_time
from projections.reports import Context
from projections.tables import Reader


def carts_by_status(reader: Reader, context: Context) -> dict[str, int]:
    """{active, expired, checked_out, abandoned} → number of carts, zero-filled."""
    found = {r["status"]: r["count"] for r in reader.many(STATUS_COUNTS, context.conference)}
    return {status: found.get(status, 0) for status in STATUSES}


def active_carts(reader: Reader, context: Context, limit: int = 20) -> list[dict[str, Any]]:
    """The newest open carts: {cart_id, customer_id, opened_at, expires_at}, newest first."""
    newest = reader.many(ACTIVE_CARTS, context.conference,
                         order=(("opened_at", True), ("cart_id", True)), limit=limit)
    return [{"cart_id": r["cart_id"], "customer_id": r["customer_id"],
             "opened_at": local_time(context, r["opened_at"]),
             "expires_at": local_time(context, r["expires_at"])} for r in newest]
