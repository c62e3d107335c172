"""Customers: what each buyer brought in, ready to rank.

A customer's revenue is Σ total of their sold orders − the refunds of those orders: an order adds
its total less any refund issued while it was still pending when it becomes sold, and each later
refund takes its amount off. Refunds of orders that never sold are no lost revenue and are left out.
Name, email and company are the ones given on the customer's latest order.

Besides the per-customer rows, customers with a sold order are counted per revenue level (how
many customers have exactly that revenue). Segment sums only depend on revenues, not on who ties
with whom, so segments walk these few levels instead of ranking every customer.
"""

from __future__ import annotations

from ledger.orders import PAID, Order
from projections.projection import Projection, handles
from projections.tables import Rows, Table

ORDERS = Table("customers_order", "order_id", "customer_id total:int refunded:int sold:bool")
CUSTOMERS = Table("customers_customer", "customer_id",
                  "name email company total_revenue:int order_count:int",
                  indexes=("-total_revenue customer_id",))
LEVELS = Table("customers_level", "total_revenue:int", "customers:int")
TOTALS = Table("customers_total", "", "customers:int total_revenue:int")


class CustomersProjection(Projection):
    """Per-customer sold revenue and order count, revenue levels, and totals over customers."""

    name = "customers"
    tables = (ORDERS, CUSTOMERS, LEVELS, TOTALS)

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        slug, customer = event.conference, event.customer
        rows.put(ORDERS, ORDERS.blank((slug, event.order_id)) | {
            "customer_id": customer["customer_id"], "total": self.minor(rows, slug, event.total)})
        rows.upsert(CUSTOMERS, slug, customer["customer_id"], name=customer.get("name"),
                    email=customer.get("email"), company=customer.get("company"))

    @handles(Order.PaymentSucceeded)
    def payment_succeeded(self, event: Order.PaymentSucceeded, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id)
        if order is None or order["sold"] or event.order_status != PAID:
            return
        rows.upsert(ORDERS, slug, event.order_id, sold=True)
        self._earn(rows, slug, order["customer_id"], order["total"] - order["refunded"], 1)

    @handles(Order.RefundIssued)
    def refund_issued(self, event: Order.RefundIssued, rows: Rows) -> None:
        slug = event.conference
        order = rows.get(ORDERS, slug, event.order_id)
        if order is None:
            return
        amount = self.minor(rows, slug, event.amount)
        rows.upsert(ORDERS, slug, event.order_id, refunded=order["refunded"] + amount)
        if order["sold"]:
            self._earn(rows, slug, order["customer_id"], -amount, 0)

    def _earn(self, rows: Rows, slug: str, customer_id: str, revenue: int, orders: int) -> None:
        """Add to a customer's revenue and sold orders, moving them between revenue levels."""
        before = rows.get(CUSTOMERS, slug, customer_id) or CUSTOMERS.blank((slug, customer_id))
        ranked = before["order_count"] > 0
        if ranked:
            self._level(rows, slug, before["total_revenue"], -1)
        after = rows.add(CUSTOMERS, slug, customer_id, total_revenue=revenue, order_count=orders)
        self._level(rows, slug, after["total_revenue"], 1)
        rows.add(TOTALS, slug, customers=int(not ranked), total_revenue=revenue)

    @staticmethod
    def _level(rows: Rows, slug: str, revenue: int, customers: int) -> None:
        if rows.add(LEVELS, slug, revenue, customers=customers)["customers"] == 0:
            rows.delete(LEVELS, slug, revenue)
