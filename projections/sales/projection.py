"""Sales: sold orders by the day of the payment that made them paid, in the conference timezone.

An order counts once it reached `paid` (whatever refunds came later): revenue is Σ total, gross
Σ subtotal, discounts Σ discount_amount. Refunds live in the reconciliation read model; the
waterfall subtracts them from there, so no refund is counted twice.
"""

from __future__ import annotations

from ledger.conference import Conference
from ledger.orders import PAID, Order
from projections.projection import Projection, handles
from projections.tables import Rows, Table

ORDERS = Table("sales_order", "order_id",
               "customer_id voucher_code placed_day paid_day total:int subtotal:int "
               "discount:int sold:bool tickets:json", indexes=("paid_day order_id",))
PRODUCTS = Table("sales_product", "product_id", "name")
DAYS = Table("sales_day", "day",
             "orders:int revenue:int gross:int discount:int with_discount:int new_customers:int")
TICKET_DAYS = Table("sales_ticket_day", "day ticket_type", "revenue:int count:int")
PLACED_DAYS = Table("sales_placed_day", "day", "placed:int sold:int")
CUSTOMERS = Table("sales_customer", "customer_id", "first_paid_day")
VOUCHER_DAYS = Table("sales_voucher_day", "day code", "discount:int orders:int")
TOTALS = Table("sales_total", "", "orders:int revenue:int gross:int discount:int with_discount:int")


class SalesProjection(Projection):
    """Sold orders by paid day, ticket type, voucher and placement day."""

    name = "sales"
    tables = (PRODUCTS, ORDERS, DAYS, TICKET_DAYS, PLACED_DAYS, CUSTOMERS, VOUCHER_DAYS, TOTALS)

    @handles(Conference.ProductDefined)
    def product_defined(self, event: Conference.ProductDefined, rows: Rows) -> None:
        rows.upsert(PRODUCTS, event.conference, event.product_id, name=event.name)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug = event.conference
        tickets = [[self._product_name(rows, slug, line["product_id"]), line["quantity"],
                    self.minor(rows, slug, line["line_total"])]
                   for line in event.line_items if line["kind"] == "ticket"]
        day = self.day(rows, slug, event.effective_at)
        rows.put(ORDERS, ORDERS.blank((slug, event.order_id)) | {
            "customer_id": event.customer["customer_id"], "voucher_code": event.voucher_code,
            "placed_day": day, "total": self.minor(rows, slug, event.total),
            "subtotal": self.minor(rows, slug, event.subtotal),
            "discount": self.minor(rows, slug, event.discount_amount), "tickets": tickets})
        rows.add(PLACED_DAYS, slug, day, placed=1)

    @handles(Order.PaymentSucceeded)
    def payment_succeeded(self, event: Order.PaymentSucceeded, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id)
        if order is None or order["sold"] or event.order_status != PAID:
            return
        day = self.day(rows, slug, event.effective_at)
        rows.upsert(ORDERS, slug, order["order_id"], sold=True, paid_day=day)
        discounted = int(order["discount"] > 0)
        first = rows.get(CUSTOMERS, slug, order["customer_id"]) is None
        if first:
            rows.upsert(CUSTOMERS, slug, order["customer_id"], first_paid_day=day)
        sums = {"orders": 1, "revenue": order["total"], "gross": order["subtotal"],
                "discount": order["discount"], "with_discount": discounted}
        rows.add(DAYS, slug, day, **sums, new_customers=int(first))
        rows.add(TOTALS, slug, **sums)
        for ticket_type, quantity, line_total in order["tickets"]:
            rows.add(TICKET_DAYS, slug, day, ticket_type, revenue=line_total, count=quantity)
        rows.add(PLACED_DAYS, slug, order["placed_day"], sold=1)
        if order["voucher_code"] is not None:
            rows.add(VOUCHER_DAYS, slug, day, order["voucher_code"], discount=order["discount"],
                     orders=1)

    @staticmethod
    def _product_name(rows: Rows, slug: str, product_id: str) -> str:
        product = rows.get(PRODUCTS, slug, product_id)
        return product["name"] if product else product_id
