"""Speakers and whether they registered: a speaker is registered while their customer has an
order whose sale stands (paid or partially refunded; a full refund undoes it).

Orders remember their customer until they are refunded in full or cancelled; each customer keeps
a count of their standing orders, moved by the status the ledger derived on each event.
"""

from __future__ import annotations

from ledger.orders import Order
from ledger.people import Speaker
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

SPEAKERS = Table("speakers_speaker", "speaker_id", "name email customer_id talk_count:int")
ORDERS = Table("speakers_order", "order_id", "customer_id standing:bool")
CUSTOMERS = Table("speakers_customer", "customer_id", "standing:int")


class SpeakersProjection(Projection):
    """Speakers as last synced, and each customer's count of standing orders."""

    name = "speakers"
    tables = (SPEAKERS, ORDERS, CUSTOMERS)

    @handles(Speaker.Synced, Speaker.Resynced)
    def synced(self, event: Speaker.Synced | Speaker.Resynced, rows: Rows) -> None:
        rows.upsert(SPEAKERS, event.conference, event.speaker_id, name=event.name,
                    email=event.email, customer_id=event.customer_id,
                    talk_count=event.talk_count)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        rows.upsert(ORDERS, event.conference, event.order_id,
                    customer_id=event.customer["customer_id"])

    @handles(*STATUS_MOVES)
    def status_moved(self, event: StatusMove, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id)
        if order is None:
            return
        status = status_after(event)
        change = standing_change(order["standing"], status)
        if change:
            rows.add(CUSTOMERS, slug, order["customer_id"], standing=change)
        if status in FINAL:
            rows.delete(ORDERS, slug, event.order_id)
        else:
            rows.upsert(ORDERS, slug, event.order_id, standing=status in STANDING)
