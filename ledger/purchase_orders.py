"""The purchase order: an invoice to an organisation, paid by wire, ACH, check... and reduced by
credit notes. Its status is derived after every payment or credit note from its balance due.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import AlreadyExists, InvalidTransition, PurchaseOrderCancelled

DRAFT, SENT, PARTIALLY_PAID, PAID, OVERPAID, CANCELLED = (
    "draft", "sent", "partially_paid", "paid", "overpaid", "cancelled")
STATUSES = (DRAFT, SENT, PARTIALLY_PAID, PAID, OVERPAID, CANCELLED)
METHODS = ("wire", "ach", "check", "stripe", "other")


def derive_status(*, total: Decimal, paid: Decimal, credited: Decimal, payments: int,
                  credit_notes: int, sent: bool) -> str:
    """The contract's rule, in its order: paid, overpaid, partially paid, draft, sent."""
    balance = total - paid - credited
    if balance == 0 and (payments or credit_notes):
        return PAID
    if balance < 0:
        return OVERPAID
    if payments:
        return PARTIALLY_PAID
    return SENT if sent else DRAFT


class PurchaseOrder(LedgerAggregate):
    """An organisation's purchase order."""

    kind = "purchase-order"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        po_id: str
        total: Decimal
        paid: Decimal
        credited: Decimal
        payment_ids: set[str]
        credit_note_ids: set[str]
        sent: bool
        status: str

    class Created(LedgerAggregate.Created):
        TYPE = "purchase_order.created"
        po_id: str
        reference: str
        organization_name: str
        contact_name: str
        contact_email: str
        billing_address: str | None
        line_items: list[dict[str, Any]]
        subtotal: Decimal
        total: Decimal
        notes: str | None

        def apply(self, po: PurchaseOrder) -> None:
            po.po_id = self.po_id
            po.total = self.total
            po.paid = po.credited = Decimal(0)
            po.payment_ids, po.credit_note_ids = set(), set()
            po.sent = False
            po.status = DRAFT

    class Sent(LedgerAggregate.Event):
        TYPE = "purchase_order.sent"
        DERIVED = ("po_status",)
        po_id: str
        po_status: str

        def apply(self, po: PurchaseOrder) -> None:
            po.sent = True
            po.status = self.po_status

    class Cancelled(LedgerAggregate.Event):
        TYPE = "purchase_order.cancelled"
        po_id: str
        reason: str | None

        def apply(self, po: PurchaseOrder) -> None:
            po.status = CANCELLED

    class PaymentRecorded(LedgerAggregate.Event):
        TYPE = "purchase_order.payment_recorded"
        DERIVED = ("po_status",)
        po_id: str
        po_status: str
        payment_id: str
        amount: Decimal
        method: str
        payment_date: str
        reference: str | None
        note: str | None
        entered_by: str | None

        def apply(self, po: PurchaseOrder) -> None:
            po.payment_ids.add(self.payment_id)
            po.paid += self.amount
            po.status = self.po_status

    class CreditNoteIssued(LedgerAggregate.Event):
        TYPE = "purchase_order.credit_note_issued"
        DERIVED = ("po_status",)
        po_id: str
        po_status: str
        credit_note_id: str
        amount: Decimal
        reason: str
        issued_by: str | None

        def apply(self, po: PurchaseOrder) -> None:
            po.credit_note_ids.add(self.credit_note_id)
            po.credited += self.amount
            po.status = self.po_status

    def status_after(self, *, paid: Decimal = Decimal(0), credited: Decimal = Decimal(0),
                     payments: int = 0, credit_notes: int = 0, sent: bool = False) -> str:
        """The status this purchase order would have after the given additions."""
        return derive_status(
            total=self.total, paid=self.paid + paid, credited=self.credited + credited,
            payments=len(self.payment_ids) + payments,
            credit_notes=len(self.credit_note_ids) + credit_notes, sent=self.sent or sent)

    # Commands ---------------------------------------------------------------------------------

    def send(self, envelope: dict[str, Any]) -> None:
        self._check_not_cancelled()
        if self.sent:
            raise InvalidTransition(f"purchase order {self.po_id!r} was already sent",
                                    field="data.po_id", code="purchase-order-already-sent")
        self.trigger_event(self.Sent, **envelope, po_id=self.po_id,
                           po_status=self.status_after(sent=True))

    def cancel(self, envelope: dict[str, Any], reason: str | None) -> None:
        self._check_not_cancelled()
        if self.payment_ids or self.credit_note_ids:
            raise InvalidTransition(
                f"purchase order {self.po_id!r} has payments or credit notes; settle it with a "
                "credit note instead of cancelling", field="data.po_id",
                code="purchase-order-has-payments")
        self.trigger_event(self.Cancelled, **envelope, po_id=self.po_id, reason=reason)

    def record_payment(self, envelope: dict[str, Any], **fields: Any) -> None:
        self._check_not_cancelled()
        if fields["payment_id"] in self.payment_ids:
            raise AlreadyExists("payment", fields["payment_id"], field="data.payment_id")
        status = self.status_after(paid=fields["amount"], payments=1)
        self.trigger_event(self.PaymentRecorded, **envelope, **fields, po_status=status)

    def issue_credit_note(self, envelope: dict[str, Any], **fields: Any) -> None:
        self._check_not_cancelled()
        if fields["credit_note_id"] in self.credit_note_ids:
            raise AlreadyExists("credit-note", fields["credit_note_id"],
                                field="data.credit_note_id")
        status = self.status_after(credited=fields["amount"], credit_notes=1)
        self.trigger_event(self.CreditNoteIssued, **envelope, **fields, po_status=status)

    def _check_not_cancelled(self) -> None:
        if self.status == CANCELLED:
            raise PurchaseOrderCancelled(f"purchase order {self.po_id!r} is cancelled",
                                         field="data.po_id")
