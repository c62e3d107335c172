"""Store credit: issued as goodwill or by a refund to store credit, drawn down by credit payments,
`applied` when nothing remains, `expired` by `credit.expired` (what remained then counts as 0).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import CreditInsufficient, CreditNotAvailable

AVAILABLE, APPLIED, EXPIRED = "available", "applied", "expired"
STATUSES = (AVAILABLE, APPLIED, EXPIRED)


class Credit(LedgerAggregate):
    """A customer's store credit."""

    kind = "credit"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        credit_id: str
        amount: Decimal
        remaining: Decimal
        status: str

    class Issued(LedgerAggregate.Created):
        TYPE = "credit.issued"
        credit_id: str
        customer_id: str
        amount: Decimal
        note: str | None
        source_order: str | None

        def apply(self, credit: Credit) -> None:
            credit.credit_id = self.credit_id
            credit.amount = self.amount
            credit.remaining = self.amount
            credit.status = AVAILABLE if self.amount > 0 else APPLIED

    class Applied(LedgerAggregate.Event):
        """Drawn down by a credit payment (recorded with the `payment.succeeded` that spent it)."""

        TYPE = "credit.applied"
        DERIVED = ("credit_status",)
        credit_id: str
        order_id: str
        payment_id: str
        amount: Decimal
        credit_status: str

        def apply(self, credit: Credit) -> None:
            credit.remaining -= self.amount
            credit.status = self.credit_status

    class Expired(LedgerAggregate.Event):
        TYPE = "credit.expired"
        credit_id: str

        def apply(self, credit: Credit) -> None:
            credit.status = EXPIRED

    def draw(self, envelope: dict[str, Any], order_id: str, payment_id: str,
             amount: Decimal) -> None:
        """Spend `amount` of this credit on an order."""
        self._check_available()
        if amount > self.remaining:
            raise CreditInsufficient(
                f"credit {self.credit_id!r} has {self.remaining} remaining; "
                f"{amount} cannot be drawn", field="data.amount")
        status = APPLIED if amount == self.remaining else AVAILABLE
        self.trigger_event(self.Applied, **envelope, credit_id=self.credit_id, order_id=order_id,
                           payment_id=payment_id,
                           amount=amount, credit_status=status)

    def expire(self, envelope: dict[str, Any]) -> None:
        self._check_available()
        self.trigger_event(self.Expired, **envelope, credit_id=self.credit_id)

    def _check_available(self) -> None:
        if self.status != AVAILABLE:
            raise CreditNotAvailable(f"credit {self.credit_id!r} is {self.status}",
                                     field="data.credit_id")
