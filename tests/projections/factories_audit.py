"""Random valid event streams for property tests: a Hypothesis strategy of small operation codes,
and a `Story` that turns them into CloudEvents the ledger accepts, keeping just enough of the books
(order, credit, PO and expense states) to stay valid. Every CloudEvent id is prefixed with the
story's slug, so many stories can share one store. `replayed` builds a report from an as-of /
known-at replay, for comparison with the live one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from projections.catalogue import projection_classes, reports
from projections.replay import replay
from projections.reports import Body
from tests.factories import (
    Event,
    cloud_event,
    configure_conference,
    create_purchase_order,
    define_expense_category,
    define_ticket,
    issue_credit_note,
    line,
    pay,
    place_order,
    record_expense,
    record_po_payment,
    refund,
    send_purchase_order,
)

OPERATIONS = ("order", "pay", "pay", "pay", "refund", "refund", "fail", "cancel", "goodwill",
              "expire", "po", "po_send", "po_pay", "po_pay", "po_note", "po_cancel", "expense",
              "void")
# Something for the random operations to act on from the start.
SEED = (("order", 0, 1, 1), ("order", 1, 0, 2), ("order", 2, 1, 1), ("po", 0, 0, 2),
        ("po", 0, 0, 1), ("goodwill", 0, 0, 2), ("expense", 0, 0, 1))
METHODS = ("stripe", "terminal", "manual", "comp", "credit")
PO_METHODS = ("wire", "ach", "check", "stripe", "other")
CENT = Decimal("0.01")



def replayed(books: Any, name: str, slug: str, **cutoffs: Any) -> Body:
    """Report `name` built from an in-memory replay with the given `as_of` / `known_at`."""
    report = reports()[name]
    classes = projection_classes()
    history = replay(books.ledger, [classes[n]() for n in report.read_models], slug, **cutoffs)
    return report.build(history.rows, books.context(slug))


operation = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 7), st.integers(0, 7),
                      st.integers(1, 3))
batches = st.lists(st.lists(operation, min_size=1, max_size=4), min_size=1, max_size=8)


@dataclass
class OrderState:
    total: Decimal
    status: str = "pending"
    paid: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)


@dataclass
class PoState:
    total: Decimal
    sent: bool = False
    cancelled: bool = False
    settled: Decimal = Decimal(0)
    touched: bool = False


@dataclass
class Story:
    """Turns operation codes into valid CloudEvents for conference `slug`."""

    slug: str
    orders: dict[str, OrderState] = field(default_factory=dict)
    credits: dict[str, Decimal] = field(default_factory=dict)  # available credits' remaining
    pos: dict[str, PoState] = field(default_factory=dict)
    expenses: list[str] = field(default_factory=list)
    count: int = 0
    serial: int = 0

    def opening(self) -> list[Event]:
        """The conference, its catalogue, and a few orders, POs, a credit and an expense."""
        catalogue = [self._mark(e) for e in (
            configure_conference(), define_ticket(price="100.00"),
            define_ticket(product_id="tee", name="T-shirt", price="20.00", kind="addon"),
            define_expense_category())]
        return catalogue + self.batch(list(SEED))

    def batch(self, operations: list[tuple[str, int, int, int]]) -> list[Event]:
        events = []
        for name, a, b, c in operations:
            events += [self._mark(e) for e in getattr(self, f"_{name}")(a, b, c)]
        return events

    def _mark(self, event: Event) -> Event:
        """A story-unique CloudEvent id and an effective time that moves forward."""
        self.count += 1
        return {**event, "id": f"{self.slug}-{self.count}",
                "time": f"2026-10-{1 + self.count // 24:02d}T{self.count % 24:02d}:00:00+00:00"}

    def _id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    @staticmethod
    def _pick(found: list[str], a: int) -> str | None:
        return sorted(found)[a % len(found)] if found else None

    # Orders -----------------------------------------------------------------------------------

    def _order(self, a: int, b: int, c: int) -> list[Event]:
        discount = ("0.00", "10.00", str(100 * c) + ".00")[a % 3]
        lines = [line(quantity=c, unit_price="100.00", discount_amount=discount)]
        if b % 2:
            lines.append(line(product_id="tee", kind="addon", unit_price="20.00",
                              description="T-shirt"))
        order_id = self._id("o")
        event = place_order(order_id=order_id, lines=lines)
        self.orders[order_id] = OrderState(Decimal(event["data"]["total"]))
        return [event]

    def _pay(self, a: int, b: int, c: int) -> list[Event]:
        order_id = self._pick([k for k, o in self.orders.items() if o.status == "pending"], a)
        if order_id is None:
            return []
        order = self.orders[order_id]
        owed = order.total - order.paid
        amount = owed if c != 2 or owed < 2 else (owed / 2).quantize(CENT)
        method = METHODS[b % len(METHODS)] if amount > 0 else "comp"
        extra: dict[str, Any] = {}
        if method == "credit":
            credit_id = self._pick([k for k, r in self.credits.items() if r >= amount], a)
            if credit_id is None:
                method = "stripe"
            else:
                extra["credit_id"] = credit_id
                self._draw(credit_id, amount)
        order.paid += amount
        if order.paid >= order.total:
            order.status = "paid"
        return [pay(order_id=order_id, amount=str(amount), method=method, **extra)]

    def _draw(self, credit_id: str, amount: Decimal) -> None:
        self.credits[credit_id] -= amount
        if not self.credits[credit_id]:
            del self.credits[credit_id]

    def _refund(self, a: int, b: int, c: int) -> list[Event]:
        order_id = self._pick([k for k, o in self.orders.items() if o.paid > o.refunded], a)
        if order_id is None:
            return []
        order = self.orders[order_id]
        refundable = order.paid - order.refunded
        amount = refundable if c == 1 else min(Decimal(10), refundable)
        order.refunded += amount
        if order.status not in ("pending", "cancelled"):
            order.status = "refunded" if order.refunded >= order.total else "partially_refunded"
        if b % 2:
            return [refund(order_id=order_id, amount=str(amount))]
        credit_id = self._id("rc")
        self.credits[credit_id] = amount
        return [refund(order_id=order_id, amount=str(amount), destination="store_credit",
                       credit_id=credit_id)]

    def _fail(self, a: int, b: int, c: int) -> list[Event]:
        order_id = self._pick([k for k, o in self.orders.items() if o.status != "cancelled"], a)
        if order_id is None:
            return []
        data = {"payment_id": self._id("fp"), "order_id": order_id, "method": "stripe",
                "amount": "5.00"}
        return [cloud_event("payment.initiated", data),
                cloud_event("payment.failed", data | {"reason": "declined"})]

    def _cancel(self, a: int, b: int, c: int) -> list[Event]:
        order_id = self._pick([k for k, o in self.orders.items() if o.status == "pending"], a)
        if order_id is None:
            return []
        self.orders[order_id].status = "cancelled"
        kind = ("order.cancelled", "order.hold_expired")[b % 2]
        return [cloud_event(kind, {"order_id": order_id})]

    # Credits ----------------------------------------------------------------------------------

    def _goodwill(self, a: int, b: int, c: int) -> list[Event]:
        credit_id = self._id("gc")
        self.credits[credit_id] = Decimal(15 * c)
        return [cloud_event("credit.issued", {"credit_id": credit_id, "customer_id": "cust-1",
                                              "amount": f"{15 * c}.00"})]

    def _expire(self, a: int, b: int, c: int) -> list[Event]:
        credit_id = self._pick(list(self.credits), a)
        if credit_id is None:
            return []
        del self.credits[credit_id]
        return [cloud_event("credit.expired", {"credit_id": credit_id})]

    # Purchase orders and expenses -------------------------------------------------------------

    def _po(self, a: int, b: int, c: int) -> list[Event]:
        po_id = self._id("po")
        self.pos[po_id] = PoState(Decimal(250 * c))
        return [create_purchase_order(po_id=po_id, total=f"{250 * c}.00")]

    def _open_po(self, a: int, unsent: bool = False) -> str | None:
        return self._pick([k for k, p in self.pos.items()
                           if not p.cancelled and not (unsent and p.sent)], a)

    def _po_send(self, a: int, b: int, c: int) -> list[Event]:
        po_id = self._open_po(a, unsent=True)
        if po_id is None:
            return []
        self.pos[po_id].sent = True
        return [send_purchase_order(po_id=po_id)]

    def _po_pay(self, a: int, b: int, c: int) -> list[Event]:
        po_id = self._open_po(a)
        if po_id is None:
            return []
        po = self.pos[po_id]
        due = po.total - po.settled
        amount = (due if due > 0 else Decimal(100), Decimal(100), max(due, Decimal(0)) + 50)[c - 1]
        po.settled += amount
        po.touched = True
        return [record_po_payment(po_id=po_id, amount=f"{amount:.2f}",
                                  method=PO_METHODS[b % len(PO_METHODS)])]

    def _po_note(self, a: int, b: int, c: int) -> list[Event]:
        po_id = self._open_po(a)
        if po_id is None:
            return []
        self.pos[po_id].settled += 50
        self.pos[po_id].touched = True
        return [issue_credit_note(po_id=po_id, amount="50.00")]

    def _po_cancel(self, a: int, b: int, c: int) -> list[Event]:
        po_id = self._pick([k for k, p in self.pos.items() if not p.cancelled and not p.touched],
                           a)
        if po_id is None:
            return []
        self.pos[po_id].cancelled = True
        return [cloud_event("purchase_order.cancelled", {"po_id": po_id}, source="po-system")]

    def _expense(self, a: int, b: int, c: int) -> list[Event]:
        expense_id = self._id("ex")
        self.expenses.append(expense_id)
        return [record_expense(expense_id=expense_id, amount=f"{40 * c}.00")]

    def _void(self, a: int, b: int, c: int) -> list[Event]:
        expense_id = self._pick(self.expenses, a)
        if expense_id is None:
            return []
        self.expenses.remove(expense_id)
        return [cloud_event("expense.voided", {"expense_id": expense_id, "reason": "twice"},
                            source="finance")]
