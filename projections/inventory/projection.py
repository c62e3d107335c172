"""Inventory: what each ticket type and add-on has sold and what open holds reserve.

`sold` is kept per product: the quantities of orders whose sale stands (paid or partially
refunded), so a full refund gives its stock back. Pending orders keep their lines in a small
holds table with their hold expiry; a hold leaves it when its order is paid, cancelled or expires.
Whether a hold is still open depends on the moment asked about, so the query decides it
(`reserved`), which keeps as-of answers right.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.conference import Conference
from ledger.orders import PENDING, Order
from projections.inventory.standing import (
    FINAL,
    STANDING,
    STATUS_MOVES,
    StatusMove,
    standing_change,
    status_after,
)
from projections.projection import Projection, handles
from projections.tables import Rows, Table

PRODUCTS = Table("inventory_product", "product_id",
                 "kind name price:int total_quantity:int is_active:bool available_from "
                 "available_until sort_order:int sold:int")
ORDERS = Table("inventory_order", "order_id", "lines:json standing:bool")
HOLDS = Table("inventory_hold", "order_id product_id", "quantity:int expires",
              indexes=("expires",))


def instant(moment: datetime) -> str:
    """A moment as fixed-width UTC text, so text order is time order on both databases."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class InventoryProjection(Projection):
    """Sold quantities per product and the lines of pending orders."""

    name = "inventory"
    tables = (PRODUCTS, ORDERS, HOLDS)

    @handles(Conference.ProductDefined)
    def product_defined(self, event: Conference.ProductDefined, rows: Rows) -> None:
        window = (event.available_from, event.available_until)
        available_from, available_until = (m.isoformat() if m else None for m in window)
        rows.upsert(PRODUCTS, event.conference, event.product_id, kind=event.kind,
                    name=event.name, price=self.minor(rows, event.conference, event.price),
                    total_quantity=event.total_quantity, is_active=event.is_active,
                    available_from=available_from, available_until=available_until,
                    sort_order=event.sort_order)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug = event.conference
        lines: dict[str, int] = {}
        for line in event.line_items:
            lines[line["product_id"]] = lines.get(line["product_id"], 0) + line["quantity"]
        rows.upsert(ORDERS, slug, event.order_id, lines=lines)
        expires = instant(event.hold_expires_at) if event.hold_expires_at else None
        for product_id, quantity in lines.items():
            rows.upsert(HOLDS, slug, event.order_id, product_id, quantity=quantity,
                        expires=expires)

    @handles(*STATUS_MOVES)
    def status_moved(self, event: StatusMove, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id)
        if order is None:
            return
        status = status_after(event)
        change = standing_change(order["standing"], status)
        for product_id, quantity in order["lines"].items():
            if status != PENDING:
                rows.delete(HOLDS, slug, event.order_id, product_id)
            if change:
                rows.add(PRODUCTS, slug, product_id, sold=change * quantity)
        if status in FINAL:
            rows.delete(ORDERS, slug, event.order_id)
        else:
            rows.upsert(ORDERS, slug, event.order_id, standing=status in STANDING)
