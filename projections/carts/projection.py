"""Carts: how many are active, expired, checked out or abandoned, and the open ones themselves.

Only active carts are kept as rows (added when opened, removed when closed), so listing them
never scans carts that are long gone. The ledger lets a cart close only while active, so a close
moves one cart from `active` to the status its event names.
"""

from __future__ import annotations

from ledger.carts import ABANDONED, ACTIVE, CHECKED_OUT, EXPIRED, Cart
from projections.projection import Projection, handles
from projections.reconciliation.formatting import stamp
from projections.tables import Rows, Table

ACTIVE_CARTS = Table("carts_active", "cart_id", "customer_id opened_at expires_at")
STATUSES = Table("carts_status", "status", "count:int")
CLOSED_AS = {Cart.CheckedOut: CHECKED_OUT, Cart.Expired: EXPIRED, Cart.Abandoned: ABANDONED}


class CartsProjection(Projection):
    """Cart counts per status and the carts still open."""

    name = "carts"
    tables = (ACTIVE_CARTS, STATUSES)

    @handles(Cart.Opened)
    def opened(self, event: Cart.Opened, rows: Rows) -> None:
        slug = event.conference
        expires_at = stamp(event.expires_at) if event.expires_at else None
        rows.upsert(ACTIVE_CARTS, slug, event.cart_id, customer_id=event.customer_id,
                    opened_at=stamp(event.effective_at), expires_at=expires_at)
        rows.add(STATUSES, slug, ACTIVE, count=1)

    @handles(Cart.CheckedOut, Cart.Expired, Cart.Abandoned)
    def closed(self, event: Cart.CheckedOut | Cart.Expired | Cart.Abandoned, rows: Rows) -> None:
        slug = event.conference
        if rows.get(ACTIVE_CARTS, slug, event.cart_id) is None:
            return  # an as-of replay that cut off the cart's opening
        rows.delete(ACTIVE_CARTS, slug, event.cart_id)
        rows.add(STATUSES, slug, ACTIVE, count=-1)
        rows.add(STATUSES, slug, CLOSED_AS[type(event)], count=1)
