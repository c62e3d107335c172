"""Payments against an order: a payment is `pending`, then `succeeded` or `failed`.

A payment may arrive as `payment.succeeded` alone. Once settled it never changes; a settlement must
match the amount, method and order the payment began with.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.errors import InvalidTransition, PaymentMismatch

METHODS = ("stripe", "terminal", "comp", "credit", "manual")
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


@dataclass
class Payment:
    """One payment of an order, as the ledger derives it."""

    payment_id: str
    method: str
    amount: Decimal
    status: str = PENDING


def check_settlement(existing: Payment | None, method: str, amount: Decimal) -> None:
    """Raise unless a payment may be settled (succeeded or failed) now."""
    if existing is None:
        return
    if existing.status != PENDING:
        raise InvalidTransition(
            f"payment {existing.payment_id!r} is already {existing.status}",
            field="data.payment_id", code="payment-already-settled",
        )
    if existing.method != method or existing.amount != amount:
        raise PaymentMismatch(
            f"payment {existing.payment_id!r} began as {existing.method} {existing.amount}; "
            f"it cannot settle as {method} {amount}",
            field="data.amount",
        )
