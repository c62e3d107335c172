"""Which order status moves make a sale stand: an order's sale stands while it is `paid` or
`partially_refunded`; a full refund undoes it and a cancelled order never had one.

Inventory counts the stock of standing sales as sold; speakers count a customer as registered
while one of their orders stands. Both read the status the ledger derived from the event.
"""

from __future__ import annotations

from ledger.orders import CANCELLED, PAID, PARTIALLY_REFUNDED, REFUNDED, Order

STANDING = (PAID, PARTIALLY_REFUNDED)
FINAL = (REFUNDED, CANCELLED)
STATUS_MOVES = (Order.PaymentSucceeded, Order.RefundIssued, Order.Cancelled, Order.HoldExpired)
StatusMove = Order.PaymentSucceeded | Order.RefundIssued | Order.Cancelled | Order.HoldExpired


def status_after(event: StatusMove) -> str:
    """The order status `event` leaves (cancel and hold expiry mean cancelled)."""
    if isinstance(event, (Order.Cancelled, Order.HoldExpired)):
        return CANCELLED
    return event.order_status


def standing_change(was_standing: bool, status: str) -> int:
    """+1 when the order's sale starts to stand, −1 when it stops, else 0."""
    return int(status in STANDING) - int(was_standing)
