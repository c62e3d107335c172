"""Speakers and whether they registered: a speaker is registered while their customer has an
order whose sale stands (paid or partially refunded; a full refund undoes it).

Orders remember their customer until they are refunded in full or cancelled; each customer keeps
a count of their standing orders, moved by the status the ledger derived on each event. Each
speaker row carries its `registered` flag, set again whenever their customer's first sale starts
or last sale stops standing, and the totals row counts speakers and registered speakers, so the
report reads a page of speakers and one summary row however large the conference.
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
from projections.tables import Row, Rows, Table

SPEAKERS = Table("speakers_speaker", "speaker_id",
                 "name email customer_id talk_count:int registered:bool",
                 indexes=("name speaker_id",))
ORDERS = Table("speakers_order", "order_id", "customer_id standing:bool")
CUSTOMERS = Table("speakers_customer", "customer_id", "standing:int")
SPEAKERS_OF = Table("speakers_customer_speakers", "customer_id", "speaker_ids:json")
TOTALS = Table("speakers_total", "", "total:int registered:int")


class SpeakersProjection(Projection):
    """Speakers as last synced, and each customer's count of standing orders."""

    name = "speakers"
    tables = (SPEAKERS, ORDERS, CUSTOMERS, SPEAKERS_OF, TOTALS)

    @handles(Speaker.Synced, Speaker.Resynced)
    def synced(self, event: Speaker.Synced | Speaker.Resynced, rows: Rows) -> None:
        slug, speaker_id = event.conference, event.speaker_id
        known = rows.get(SPEAKERS, slug, speaker_id)
        if known is None:
            rows.add(TOTALS, slug, total=1)
        if known is None or known["customer_id"] != event.customer_id:
            if known is not None:
                _link(rows, slug, known["customer_id"], speaker_id, linked=False)
            _link(rows, slug, event.customer_id, speaker_id, linked=True)
        speaker = rows.upsert(SPEAKERS, slug, speaker_id, name=event.name, email=event.email,
                              customer_id=event.customer_id, talk_count=event.talk_count)
        _mark(rows, speaker, _stands(rows, slug, event.customer_id))

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
            customer = rows.add(CUSTOMERS, slug, order["customer_id"], standing=change)
            if (customer["standing"] > 0) != (customer["standing"] - change > 0):
                _mark_speakers_of(rows, slug, order["customer_id"], customer["standing"] > 0)
        if status in FINAL:
            rows.delete(ORDERS, slug, event.order_id)
        else:
            rows.upsert(ORDERS, slug, event.order_id, standing=status in STANDING)


def _link(rows: Rows, slug: str, customer_id: str | None, speaker_id: str, *,
          linked: bool) -> None:
    """Add `speaker_id` to (or remove it from) the speakers of `customer_id`."""
    if customer_id is None:
        return
    row = rows.get(SPEAKERS_OF, slug, customer_id)
    speaker_ids = [s for s in (row["speaker_ids"] if row else []) if s != speaker_id]
    if linked:
        speaker_ids.append(speaker_id)
    if speaker_ids:
        rows.upsert(SPEAKERS_OF, slug, customer_id, speaker_ids=speaker_ids)
    else:
        rows.delete(SPEAKERS_OF, slug, customer_id)


def _stands(rows: Rows, slug: str, customer_id: str | None) -> bool:
    """True when `customer_id` has at least one standing order."""
    customer = None if customer_id is None else rows.get(CUSTOMERS, slug, customer_id)
    return customer is not None and customer["standing"] > 0


def _mark_speakers_of(rows: Rows, slug: str, customer_id: str, registered: bool) -> None:
    linked = rows.get(SPEAKERS_OF, slug, customer_id)
    for speaker_id in linked["speaker_ids"] if linked else []:
        speaker = rows.get(SPEAKERS, slug, speaker_id)
        if speaker is not None:
            _mark(rows, speaker, registered)


def _mark(rows: Rows, speaker: Row, registered: bool) -> None:
    """Set the speaker's `registered` flag, counting the change in the totals row."""
    if speaker["registered"] != registered:
        rows.add(TOTALS, speaker["conference"], registered=1 if registered else -1)
        speaker["registered"] = registered
        rows.put(SPEAKERS, speaker)
