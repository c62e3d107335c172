"""The order: placed pending, paid when succeeded payments cover its total, refunded in part or in
whole, or cancelled while still pending. It owns its payments and refunds, so the refundable amount
(succeeded payments − refunds so far) is always known and always checked.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import AlreadyExists, InvalidTransition, RefundExceedsRefundable
from ledger.payments import FAILED, SUCCEEDED, Payment, check_settlement

PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, CANCELLED = (
    "pending", "paid", "partially_refunded", "refunded", "cancelled")
STATUSES = (PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, CANCELLED)
SOLD = (PAID, PARTIALLY_REFUNDED, REFUNDED)


class Order(LedgerAggregate):
    """A customer's order of tickets and add-ons."""

    kind = "order"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        order_id: str
        customer_id: str
        total: Decimal
        status: str
        payments: dict[str, Payment]
        refunds: set[str]
        paid: Decimal
        refunded: Decimal

    class Placed(LedgerAggregate.Created):
        TYPE = "order.placed"
        order_id: str
        reference: str | None
        customer: dict[str, Any]
        line_items: list[dict[str, Any]]
        subtotal: Decimal
        discount_amount: Decimal
        total: Decimal
        voucher_code: str | None
        hold_expires_at: datetime | None
        utm_source: str | None
        utm_medium: str | None
        utm_campaign: str | None

        def apply(self, order: Order) -> None:
            order.order_id = self.order_id
            order.customer_id = self.customer["customer_id"]
            order.total = self.total
            order.status = PENDING
            order.payments = {}
            order.refunds = set()
            order.paid = Decimal(0)
            order.refunded = Decimal(0)

    class Cancelled(LedgerAggregate.Event):
        TYPE = "order.cancelled"
        order_id: str
        reason: str | None

        def apply(self, order: Order) -> None:
            order.status = CANCELLED

    class HoldExpired(LedgerAggregate.Event):
        TYPE = "order.hold_expired"
        order_id: str

        def apply(self, order: Order) -> None:
            order.status = CANCELLED

    class PaymentInitiated(LedgerAggregate.Event):
        TYPE = "payment.initiated"
        payment_id: str
        order_id: str
        method: str
        amount: Decimal

        def apply(self, order: Order) -> None:
            order.payments[self.payment_id] = Payment(self.payment_id, self.method, self.amount)

    class PaymentSucceeded(LedgerAggregate.Event):
        """A payment succeeded; `order_status` is the order's status it leaves (derived)."""

        TYPE = "payment.succeeded"
        DERIVED = ("order_status",)
        payment_id: str
        order_id: str
        method: str
        amount: Decimal
        credit_id: str | None
        reference: str | None
        order_status: str

        def apply(self, order: Order) -> None:
            order.payments[self.payment_id] = Payment(
                self.payment_id, self.method, self.amount, SUCCEEDED)
            order.paid += self.amount
            order.status = self.order_status

    class PaymentFailed(LedgerAggregate.Event):
        TYPE = "payment.failed"
        payment_id: str
        order_id: str
        method: str
        amount: Decimal
        reason: str | None

        def apply(self, order: Order) -> None:
            order.payments[self.payment_id] = Payment(
                self.payment_id, self.method, self.amount, FAILED)

    class RefundIssued(LedgerAggregate.Event):
        """A refund was issued; `order_status` is the order's status it leaves (derived)."""

        TYPE = "refund.issued"
        DERIVED = ("order_status",)
        refund_id: str
        order_id: str
        amount: Decimal
        destination: str
        credit_id: str | None
        payment_id: str | None
        reason: str | None
        order_status: str

        def apply(self, order: Order) -> None:
            order.refunds.add(self.refund_id)
            order.refunded += self.amount
            order.status = self.order_status

    # Commands ---------------------------------------------------------------------------------

    def cancel(self, envelope: dict[str, Any], event_class: type[LedgerAggregate.Event],
               **fields: Any) -> None:
        """Cancel a pending order (`order.cancelled` or `order.hold_expired`)."""
        if self.status != PENDING:
            raise InvalidTransition(
                f"order {self.order_id!r} is {self.status}; only a pending order can be cancelled",
                field="data.order_id", code="order-not-pending",
            )
        self.trigger_event(event_class, **envelope, order_id=self.order_id, **fields)

    def initiate_payment(self, envelope: dict[str, Any], payment_id: str, method: str,
                         amount: Decimal) -> None:
        self._check_open_for_payment()
        if payment_id in self.payments:
            raise AlreadyExists("payment", payment_id, field="data.payment_id")
        self.trigger_event(self.PaymentInitiated, **envelope, payment_id=payment_id,
                           order_id=self.order_id, method=method, amount=amount)

    def check_settlement(self, succeeded: bool, **fields: Any) -> None:
        """Raise unless the payment may settle now (as it began, on an order still open)."""
        check_settlement(self.payments.get(fields["payment_id"]), fields["method"],
                         fields["amount"])
        if succeeded:
            self._check_open_for_payment()

    def settle_payment(self, envelope: dict[str, Any], succeeded: bool,
                       **fields: Any) -> None:
        """Record a payment's success or failure, checked against how it began."""
        self.check_settlement(succeeded, **fields)
        if not succeeded:
            self.trigger_event(self.PaymentFailed, **envelope, **fields)
            return
        covered = self.paid + fields["amount"] >= self.total
        status = PAID if self.status == PENDING and covered else self.status
        self.trigger_event(self.PaymentSucceeded, **envelope, **fields, order_status=status)

    def issue_refund(self, envelope: dict[str, Any], **fields: Any) -> None:
        self.check_refund(**fields)
        status = self.status
        if status in SOLD:
            refunded = self.refunded + fields["amount"]
            status = REFUNDED if refunded >= self.total else PARTIALLY_REFUNDED
        self.trigger_event(self.RefundIssued, **envelope, **fields, order_status=status)

    def check_refund(self, **fields: Any) -> None:
        """Raise unless the refund is new and within the refundable amount."""
        if fields["refund_id"] in self.refunds:
            raise AlreadyExists("refund", fields["refund_id"], field="data.refund_id")
        if fields["amount"] > self.refundable:
            raise RefundExceedsRefundable(
                f"refund of {fields['amount']} exceeds the refundable {self.refundable} "
                f"of order {self.order_id!r} (succeeded payments − refunds so far)",
                field="data.amount",
            )

    @property
    def refundable(self) -> Decimal:
        """Succeeded payments minus refunds so far."""
        return self.paid - self.refunded

    def _check_open_for_payment(self) -> None:
        if self.status == CANCELLED:
            raise InvalidTransition(
                f"order {self.order_id!r} is cancelled and takes no payment",
                field="data.order_id", code="order-cancelled",
            )
