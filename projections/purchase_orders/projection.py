"""Purchase orders: each PO's amounts and status, and counters kept as POs change.

A PO counts in the invoiced figures once it left `draft` and until it is `cancelled`. Every change
to a PO takes its old contribution off the counters and adds its new one, so the summary never
scans POs and a draft that is sent (or a credit note on a draft) moves into the figures exactly
once. Statuses are the ones the ledger derived and carried on the events.
"""

from __future__ import annotations

from typing import Any

from ledger.purchase_orders import CANCELLED, DRAFT, OVERPAID, PARTIALLY_PAID, SENT, PurchaseOrder
from projections.projection import Projection, handles
from projections.tables import Row, Rows, Table

POS = Table("purchase_orders_po", "po_id",
            "reference organization_name status created total:int paid:int credited:int",
            indexes=("-created po_id", "status -created po_id"))
STATUS_TOTALS = Table("purchase_orders_status", "status", "count:int total:int")
METHOD_TOTALS = Table("purchase_orders_method", "method", "count:int total:int")
TOTALS = Table("purchase_orders_total", "",
               "po_invoiced:int po_credited:int po_collected:int po_outstanding:int "
               "po_overpaid:int")


def invoiced_figures(po: Row) -> dict[str, int]:
    """What one PO adds to the invoiced counters (nothing while draft or once cancelled)."""
    if po["status"] in (DRAFT, CANCELLED):
        return {column: 0 for column in TOTALS.columns[1:]}
    balance = po["total"] - po["paid"] - po["credited"]
    return {"po_invoiced": po["total"], "po_credited": po["credited"],
            "po_collected": po["paid"],
            "po_outstanding": balance if po["status"] in (SENT, PARTIALLY_PAID) else 0,
            "po_overpaid": -balance if po["status"] == OVERPAID else 0}


class PurchaseOrdersProjection(Projection):
    """POs with their paid and credited amounts; counters by status, method and in total."""

    name = "purchase_orders"
    tables = (POS, STATUS_TOTALS, METHOD_TOTALS, TOTALS)

    @handles(PurchaseOrder.Created)
    def created(self, event: PurchaseOrder.Created, rows: Rows) -> None:
        slug = event.conference
        po = rows.put(POS, POS.blank((slug, event.po_id)) | {
            "reference": event.reference, "organization_name": event.organization_name,
            "status": DRAFT, "created": self.day(rows, slug, event.effective_at),
            "total": self.minor(rows, slug, event.total)})
        self._count(rows, po, 1)

    @handles(PurchaseOrder.Sent)
    def sent(self, event: PurchaseOrder.Sent, rows: Rows) -> None:
        self._change(rows, event.conference, event.po_id, status=event.po_status)

    @handles(PurchaseOrder.Cancelled)
    def cancelled(self, event: PurchaseOrder.Cancelled, rows: Rows) -> None:
        self._change(rows, event.conference, event.po_id, status=CANCELLED)

    @handles(PurchaseOrder.PaymentRecorded)
    def payment_recorded(self, event: PurchaseOrder.PaymentRecorded, rows: Rows) -> None:
        slug = event.conference
        amount = self.minor(rows, slug, event.amount)
        po = self._change(rows, slug, event.po_id, status=event.po_status, paid=amount)
        if po is not None:
            # A payment always leaves a PO invoiced (never draft; a PO with payments cannot be
            # cancelled), so every payment belongs in the by-method counters.
            rows.add(METHOD_TOTALS, slug, event.method, count=1, total=amount)

    @handles(PurchaseOrder.CreditNoteIssued)
    def credit_note_issued(self, event: PurchaseOrder.CreditNoteIssued, rows: Rows) -> None:
        slug = event.conference
        self._change(rows, slug, event.po_id, status=event.po_status,
                     credited=self.minor(rows, slug, event.amount))

    def _change(self, rows: Rows, slug: str, po_id: str, *, status: str,
                **added: int) -> Row | None:
        """Set the PO's status, add `added` to its amounts, and move it in the counters."""
        po = rows.get(POS, slug, po_id)
        if po is None:
            return None
        self._count(rows, po, -1)
        changed: dict[str, Any] = {column: po[column] + delta for column, delta in added.items()}
        po = rows.upsert(POS, slug, po_id, status=status, **changed)
        self._count(rows, po, 1)
        return po

    @staticmethod
    def _count(rows: Rows, po: Row, sign: int) -> None:
        slug = po["conference"]
        rows.add(STATUS_TOTALS, slug, po["status"], count=sign, total=sign * po["total"])
        rows.add(TOTALS, slug, **{k: sign * v for k, v in invoiced_figures(po).items()})
