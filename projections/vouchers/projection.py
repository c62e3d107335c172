"""Vouchers and discount conditions: their definitions and how many live orders used each.

A voucher's (or condition's) `times_used` counts the non-cancelled orders placed with it: an
order adds one when placed and takes it back when it is cancelled or its hold expires. Once an
order is paid it can no longer be cancelled, so it is forgotten then and its use stays counted.
Revenue impact is not kept here: it is the sales read model's discount of sold orders.
"""

from __future__ import annotations

from decimal import Decimal

from ledger import money
from ledger.conference import Conference
from ledger.orders import PENDING, Order
from projections.projection import Projection, handles
from projections.tables import Rows, Table

VOUCHERS = Table("vouchers_voucher", "code",
                 "voucher_type discount_value max_uses:int valid_from valid_until "
                 "is_active:bool times_used:int")
CONDITIONS = Table("vouchers_condition", "condition_id",
                   "condition_type name is_active:bool priority:int discount_type "
                   "discount_value use_limit:json applicable_products:json times_used:int")
ORDERS = Table("vouchers_order", "order_id", "voucher_code conditions:json")
CENT = Decimal("0.01")


class VouchersProjection(Projection):
    """Voucher and discount-condition definitions with their use by non-cancelled orders."""

    name = "vouchers"
    tables = (VOUCHERS, CONDITIONS, ORDERS)

    @handles(Conference.VoucherDefined)
    def voucher_defined(self, event: Conference.VoucherDefined, rows: Rows) -> None:
        window = (event.valid_from, event.valid_until)
        valid_from, valid_until = (m.isoformat() if m else None for m in window)
        rows.upsert(VOUCHERS, event.conference, event.code, voucher_type=event.voucher_type,
                    discount_value=self._value(rows, event.conference, event.voucher_type,
                                               event.discount_value),
                    max_uses=event.max_uses, valid_from=valid_from, valid_until=valid_until,
                    is_active=event.is_active)

    @handles(Conference.DiscountConditionDefined)
    def condition_defined(self, event: Conference.DiscountConditionDefined, rows: Rows) -> None:
        rows.upsert(CONDITIONS, event.conference, event.condition_id,
                    condition_type=event.condition_type, name=event.name,
                    is_active=event.is_active, priority=event.priority,
                    discount_type=event.discount_type,
                    discount_value=self._value(rows, event.conference, event.discount_type,
                                               event.discount_value),
                    use_limit=event.limit, applicable_products=list(event.applicable_products))

    @handles(Order.Placed)
    def placed(self, event: Order.Placed, rows: Rows) -> None:
        conditions = sorted({condition_id for line in event.line_items
                             for condition_id in line.get("discount_condition_ids") or ()})
        if event.voucher_code is None and not conditions:
            return
        rows.upsert(ORDERS, event.conference, event.order_id, voucher_code=event.voucher_code,
                    conditions=conditions)
        self._count(rows, event.conference, event.voucher_code, conditions, 1)

    @handles(Order.Cancelled, Order.HoldExpired)
    def cancelled(self, event: Order.Cancelled | Order.HoldExpired, rows: Rows) -> None:
        order = rows.get(ORDERS, event.conference, event.order_id)
        if order is None:
            return
        self._count(rows, event.conference, order["voucher_code"], order["conditions"], -1)
        rows.delete(ORDERS, event.conference, event.order_id)

    @handles(Order.PaymentSucceeded)
    def paid(self, event: Order.PaymentSucceeded, rows: Rows) -> None:
        if event.order_status != PENDING:
            rows.delete(ORDERS, event.conference, event.order_id)

    @staticmethod
    def _count(rows: Rows, slug: str, code: str | None, conditions: list[str],
               step: int) -> None:
        if code is not None:
            rows.add(VOUCHERS, slug, code, times_used=step)
        for condition_id in conditions:
            rows.add(CONDITIONS, slug, condition_id, times_used=step)

    def _value(self, rows: Rows, slug: str, kind: str, value: Decimal) -> str:
        """A percentage with at least 2 decimals ("12.50"), else an amount in the currency."""
        if kind == "percentage":
            return str(value.quantize(CENT) if value == value.quantize(CENT) else value)
        return money.text(value, self.conference(rows, slug)["currency"])
