"""Attendees: who is coming, their ticket, check-in and registration, and the daily flow.

Each attendee row names the first ticket product on its order (names are looked up when read, so
a renamed ticket type shows its new name). A per-conference totals row keeps the summary
(registered, checked in, completed) so it never counts rows. The flow table counts, per day in
the conference timezone, registrations and order cancellations (a hold expiry cancels too).
"""

from __future__ import annotations

from ledger.attendees import Attendee
from ledger.conference import Conference
from ledger.orders import Order
from projections.projection import Projection, handles
from projections.tables import Rows, Table

PRODUCTS = Table("attendees_product", "product_id", "name")
ORDERS = Table("attendees_order", "order_id", "ticket")
ATTENDEES = Table("attendees_attendee", "attendee_id",
                  "customer_id order_id name email access_code ticket checked_in:bool "
                  "checked_in_at completed:bool")
TOTALS = Table("attendees_total", "", "total:int checked_in:int completed:int")
FLOW = Table("attendees_flow_day", "day", "registrations:int cancellations:int")


class AttendeesProjection(Projection):
    """Attendee rows, their totals, and registrations and cancellations per day."""

    name = "attendees"
    tables = (PRODUCTS, ORDERS, ATTENDEES, TOTALS, FLOW)

    @handles(Conference.ProductDefined)
    def product_defined(self, event: Conference.ProductDefined, rows: Rows) -> None:
        rows.upsert(PRODUCTS, event.conference, event.product_id, name=event.name)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        tickets = [line["product_id"] for line in event.line_items if line["kind"] == "ticket"]
        if tickets:
            rows.upsert(ORDERS, event.conference, event.order_id, ticket=tickets[0])

    @handles(Attendee.Registered)
    def registered(self, event: Attendee.Registered, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id) if event.order_id else None
        rows.put(ATTENDEES, ATTENDEES.blank((slug, event.attendee_id)) | {
            "customer_id": event.customer_id, "order_id": event.order_id, "name": event.name,
            "email": event.email, "access_code": event.access_code,
            "ticket": order["ticket"] if order else None})
        rows.add(TOTALS, slug, total=1)
        rows.add(FLOW, slug, self.day(rows, slug, event.effective_at), registrations=1)

    @handles(Attendee.CheckedIn)
    def checked_in(self, event: Attendee.CheckedIn, rows: Rows) -> None:
        rows.upsert(ATTENDEES, event.conference, event.attendee_id, checked_in=True,
                    checked_in_at=event.effective_at.isoformat())
        rows.add(TOTALS, event.conference, checked_in=1)

    @handles(Attendee.RegistrationCompleted)
    def completed(self, event: Attendee.RegistrationCompleted, rows: Rows) -> None:
        rows.upsert(ATTENDEES, event.conference, event.attendee_id, completed=True)
        rows.add(TOTALS, event.conference, completed=1)

    @handles(Order.Cancelled, Order.HoldExpired)
    def cancelled(self, event: Order.Cancelled | Order.HoldExpired, rows: Rows) -> None:
        slug = event.conference
        rows.add(FLOW, slug, self.day(rows, slug, event.effective_at), cancellations=1)
