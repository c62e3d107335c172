"""Reconciliation: every order's money (total, succeeded payments, refunds) and the small counter
tables the money reports read, so no report ever scans orders or payments.

- `reconciliation_order`: each order with its current status (read from the events that move it),
  total, `paid` (succeeded payments, before refunds) and `refunded`.
- `reconciliation_order_status` / `reconciliation_payment`: counts and sums per order status and
  per payment (method, status); a payment that began `pending` moves to `succeeded` or `failed`.
- `reconciliation_unbalanced`: exactly the sold orders whose `paid` differs from their total.
- `reconciliation_recent`: the newest `RECENT_KEPT` orders by placement time (for recent_orders).
- `reconciliation_total`: refunds, all and by destination.
"""

from __future__ import annotations

from typing import Any

from ledger.orders import CANCELLED, PENDING, SOLD, Order
from ledger.payments import FAILED, SUCCEEDED
from ledger.payments import PENDING as PAYMENT_PENDING
from projections.projection import Projection, handles
from projections.reconciliation.formatting import stamp
from projections.tables import Row, Rows, Table

ORDERS = Table("reconciliation_order", "order_id",
               "reference customer_id name email status placed_at "
               "total:int paid:int refunded:int")
ORDER_STATUSES = Table("reconciliation_order_status", "status", "count:int total:int")
PAYMENTS = Table("reconciliation_payment", "method status", "count:int total:int")
OPEN_PAYMENTS = Table("reconciliation_open_payment", "order_id payment_id", "")
UNBALANCED = Table("reconciliation_unbalanced", "order_id", "total:int paid:int")
RECENT = Table("reconciliation_recent", "order_id", "placed_at")
RECENT_SIZE = Table("reconciliation_recent_size", "", "orders:int")
TOTALS = Table("reconciliation_total", "",
               "refunds:int refund_count:int to_original_payment:int to_store_credit:int")
RECENT_KEPT = 100


class ReconciliationProjection(Projection):
    """Orders, payments and refunds as money: what was sold, paid and given back."""

    name = "reconciliation"
    tables = (ORDERS, ORDER_STATUSES, PAYMENTS, OPEN_PAYMENTS, UNBALANCED, RECENT, RECENT_SIZE,
              TOTALS)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug, customer = event.conference, event.customer
        total = self.minor(rows, slug, event.total)
        rows.put(ORDERS, ORDERS.blank((slug, event.order_id)) | {
            "reference": event.reference, "customer_id": customer["customer_id"],
            "name": customer.get("name"), "email": customer.get("email"), "status": PENDING,
            "placed_at": stamp(event.effective_at), "total": total})
        rows.add(ORDER_STATUSES, slug, PENDING, count=1, total=total)
        self._keep_recent(rows, slug, event.order_id, stamp(event.effective_at))

    @handles(Order.Cancelled, Order.HoldExpired)
    def cancelled(self, event: Order.Cancelled | Order.HoldExpired, rows: Rows) -> None:
        order = self._order(rows, event)
        if order is not None:
            self._move(rows, order, CANCELLED)

    @handles(Order.PaymentInitiated)
    def payment_initiated(self, event: Order.PaymentInitiated, rows: Rows) -> None:
        slug = event.conference
        if self._order(rows, event) is None:
            return
        rows.upsert(OPEN_PAYMENTS, slug, event.order_id, event.payment_id)
        rows.add(PAYMENTS, slug, event.method, PAYMENT_PENDING, count=1,
                 total=self.minor(rows, slug, event.amount))

    @handles(Order.PaymentSucceeded)
    def payment_succeeded(self, event: Order.PaymentSucceeded, rows: Rows) -> None:
        order = self._order(rows, event)
        if order is None:
            return
        order["paid"] += self._settle(event, SUCCEEDED, rows)
        self._move(rows, order, event.order_status)
        if order["status"] in SOLD:
            self._check_balance(rows, order)

    @handles(Order.PaymentFailed)
    def payment_failed(self, event: Order.PaymentFailed, rows: Rows) -> None:
        if self._order(rows, event) is not None:
            self._settle(event, FAILED, rows)

    @handles(Order.RefundIssued)
    def refund_issued(self, event: Order.RefundIssued, rows: Rows) -> None:
        slug = event.conference
        order = self._order(rows, event)
        if order is None:
            return
        amount = self.minor(rows, slug, event.amount)
        order["refunded"] += amount
        self._move(rows, order, event.order_status)
        rows.add(TOTALS, slug, refunds=amount, refund_count=1,
                 **{f"to_{event.destination}": amount})

    # Helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _order(rows: Rows, event: Any) -> Row | None:
        """The order's row; None only in an as-of replay whose cut-off falls before the order
        was placed (its later events are then ignored, as the sales read model ignores them)."""
        return rows.get(ORDERS, event.conference, event.order_id)

    @staticmethod
    def _move(rows: Rows, order: Row, status: str) -> None:
        """Give `order` its new status (as the event states it) and move it between counters."""
        slug, old = order["conference"], order["status"]
        if status != old:
            rows.add(ORDER_STATUSES, slug, old, count=-1, total=-order["total"])
            rows.add(ORDER_STATUSES, slug, status, count=1, total=order["total"])
        order["status"] = status
        rows.put(ORDERS, order)

    def _settle(self, event: Order.PaymentSucceeded | Order.PaymentFailed, status: str,
                rows: Rows) -> int:
        """Count a settled payment under `status`, out of `pending` if it began there."""
        slug = event.conference
        amount = self.minor(rows, slug, event.amount)
        if rows.get(OPEN_PAYMENTS, slug, event.order_id, event.payment_id) is not None:
            rows.delete(OPEN_PAYMENTS, slug, event.order_id, event.payment_id)
            rows.add(PAYMENTS, slug, event.method, PAYMENT_PENDING, count=-1, total=-amount)
        rows.add(PAYMENTS, slug, event.method, status, count=1, total=amount)
        return amount

    @staticmethod
    def _check_balance(rows: Rows, order: Row) -> None:
        """Keep a sold order in the unbalanced table exactly while paid ≠ total."""
        slug, order_id = order["conference"], order["order_id"]
        if order["paid"] == order["total"]:
            rows.delete(UNBALANCED, slug, order_id)
        else:
            rows.upsert(UNBALANCED, slug, order_id, total=order["total"], paid=order["paid"])

    @staticmethod
    def _keep_recent(rows: Rows, slug: str, order_id: str, placed_at: str) -> None:
        """Add the order to the recent window; once it holds twice what is shown, drop the
        oldest (pruning now and then, not on every order, keeps placement O(1) on average)."""
        rows.upsert(RECENT, slug, order_id, placed_at=placed_at)
        size = rows.add(RECENT_SIZE, slug, orders=1)["orders"]
        if size < 2 * RECENT_KEPT:
            return
        window = rows.many(RECENT, slug, order=(("placed_at", False), ("order_id", False)))
        for oldest in window[:max(0, len(window) - RECENT_KEPT)]:
            rows.delete(RECENT, slug, oldest["order_id"])
        rows.upsert(RECENT_SIZE, slug, orders=min(len(window), RECENT_KEPT))
