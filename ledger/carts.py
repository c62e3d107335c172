"""The cart: opened, then checked out into an order, expired or abandoned (each once)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ledger.base import LedgerAggregate
from ledger.errors import InvalidTransition

ACTIVE, CHECKED_OUT, EXPIRED, ABANDONED = "active", "checked_out", "expired", "abandoned"
STATUSES = (ACTIVE, EXPIRED, CHECKED_OUT, ABANDONED)


class Cart(LedgerAggregate):
    """A shopping cart at checkout."""

    kind = "cart"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        cart_id: str
        status: str

    class Opened(LedgerAggregate.Created):
        TYPE = "cart.opened"
        cart_id: str
        customer_id: str
        expires_at: datetime | None

        def apply(self, cart: Cart) -> None:
            cart.cart_id = self.cart_id
            cart.status = ACTIVE

    class CheckedOut(LedgerAggregate.Event):
        TYPE = "cart.checked_out"
        cart_id: str
        order_id: str

        def apply(self, cart: Cart) -> None:
            cart.status = CHECKED_OUT

    class Expired(LedgerAggregate.Event):
        TYPE = "cart.expired"
        cart_id: str

        def apply(self, cart: Cart) -> None:
            cart.status = EXPIRED

    class Abandoned(LedgerAggregate.Event):
        TYPE = "cart.abandoned"
        cart_id: str

        def apply(self, cart: Cart) -> None:
            cart.status = ABANDONED

    def close(self, envelope: dict[str, Any], event_class: type[LedgerAggregate.Event],
              **fields: Any) -> None:
        """Check out, expire or abandon an active cart."""
        if self.status != ACTIVE:
            raise InvalidTransition(f"cart {self.cart_id!r} is {self.status}, no longer active",
                                    field="data.cart_id", code="cart-not-active")
        self.trigger_event(event_class, **envelope, cart_id=self.cart_id, **fields)
