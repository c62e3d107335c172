"""Store credits: each credit with what remains, where it came from and which orders spent it,
plus the counters the money reports read (count per status, Σ issued / drawn / outstanding).

A credit is `available` when issued, moves with the status `credit.applied` states, and is
`expired` by `credit.expired`; what remained at expiry then counts as 0 outstanding (the row keeps
the ledger's remaining, the totals row moves it to `expired`). So outstanding = issued − drawn −
expired always holds.

The email shown with a credit is its customer's latest email from `order.placed` (a goodwill
credit for a customer who never ordered has none until they do).
"""

from __future__ import annotations

from ledger.credits import AVAILABLE, EXPIRED, Credit
from ledger.orders import Order
from projections.projection import Projection, handles
from projections.reconciliation.formatting import stamp
from projections.tables import Row, Rows, Table

CREDITS = Table("credits_credit", "credit_id",
                "customer_id email amount:int remaining:int status source_order "
                "applied_to:json note created",
                indexes=("-created credit_id", "status -created credit_id"))
CUSTOMERS = Table("credits_customer", "customer_id", "email credit_ids:json")
STATUSES = Table("credits_status", "status", "count:int")
TOTALS = Table("credits_total", "", "count:int issued:int drawn:int outstanding:int expired:int")


class CreditsProjection(Projection):
    """Store credits as the ledger derives them, and their totals."""

    name = "credits"
    tables = (CREDITS, CUSTOMERS, STATUSES, TOTALS)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug, customer = event.conference, event.customer
        known = rows.get(CUSTOMERS, slug, customer["customer_id"])
        if known is not None and known["email"] == customer["email"]:
            return
        credit_ids = known["credit_ids"] if known else []
        rows.upsert(CUSTOMERS, slug, customer["customer_id"], email=customer["email"],
                    credit_ids=credit_ids)
        for credit_id in credit_ids:
            rows.upsert(CREDITS, slug, credit_id, email=customer["email"])

    @handles(Credit.Issued)
    def issued(self, event: Credit.Issued, rows: Rows) -> None:
        slug = event.conference
        amount = self.minor(rows, slug, event.amount)
        customer = rows.get(CUSTOMERS, slug, event.customer_id)
        rows.upsert(CUSTOMERS, slug, event.customer_id,
                    credit_ids=[*(customer["credit_ids"] if customer else []), event.credit_id])
        rows.put(CREDITS, CREDITS.blank((slug, event.credit_id)) | {
            "customer_id": event.customer_id, "email": customer["email"] if customer else None,
            "amount": amount, "remaining": amount, "status": AVAILABLE,
            "source_order": event.source_order, "applied_to": [], "note": event.note,
            "created": stamp(event.effective_at)})
        rows.add(STATUSES, slug, AVAILABLE, count=1)
        rows.add(TOTALS, slug, count=1, issued=amount, outstanding=amount)

    @handles(Credit.Applied)
    def applied(self, event: Credit.Applied, rows: Rows) -> None:
        slug = event.conference
        credit = self._credit(rows, event)
        if credit is None:
            return
        amount = self.minor(rows, slug, event.amount)
        credit["remaining"] -= amount
        if event.order_id not in credit["applied_to"]:
            credit["applied_to"] = [*credit["applied_to"], event.order_id]
        self._move(rows, credit, event.credit_status)
        rows.add(TOTALS, slug, drawn=amount, outstanding=-amount)

    @handles(Credit.Expired)
    def expired(self, event: Credit.Expired, rows: Rows) -> None:
        credit = self._credit(rows, event)
        if credit is None:
            return
        self._move(rows, credit, EXPIRED)
        rows.add(TOTALS, event.conference, outstanding=-credit["remaining"],
                 expired=credit["remaining"])

    @staticmethod
    def _credit(rows: Rows, event: Credit.Applied | Credit.Expired) -> Row | None:
        """The credit's row; None only in an as-of replay that cut off its issue."""
        return rows.get(CREDITS, event.conference, event.credit_id)

    @staticmethod
    def _move(rows: Rows, credit: Row, status: str) -> None:
        """Give the credit the status its event states, moving it between status counters."""
        if status != credit["status"]:
            rows.add(STATUSES, credit["conference"], credit["status"], count=-1)
            rows.add(STATUSES, credit["conference"], status, count=1)
        credit["status"] = status
        rows.put(CREDITS, credit)
