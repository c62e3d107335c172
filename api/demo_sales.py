"""The checkout side of the demo conference: carts, orders, payments, refunds, credits, attendees.

`SalesSimulation` walks the orders in time order, so every follow-up can be checked against the
books as they then stand: a credit is spent only after it was issued, before it expires and never
beyond its remaining; a refund never exceeds what the order paid and has not yet had back.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from api.demo_catalogue import (
    CENT,
    COMPANIES,
    CORPORATE,
    DINNER,
    EARLY_BIRD,
    GROUP,
    INDIVIDUAL,
    ONLINE,
    SALES_DAYS,
    SPEAKER,
    SPEAKER_DINNER,
    STUDENT,
    TSHIRT,
    TUTORIAL,
    TUTORIAL_SHIRT,
    ZERO,
    Condition,
    Emitter,
    Event,
    Product,
    Timeline,
    Voucher,
    money,
    person,
    vouchers,
)

CHECKOUT = "checkout"
CART_TTL = timedelta(minutes=30)
# Pay-by-invoice holds placed in the last sales week still run at `now`: those orders stay reserved.
INVOICE_HOLD = timedelta(days=15)
P_CANCELLED, P_HOLD_EXPIRED, P_INVOICE_HOLD = 0.02, 0.02, 0.05
P_VOUCHER, P_REFUND, P_GOODWILL = 0.15, 0.07, 0.01
# Most credit holders come back within a month to spend it; some credits lapse before they do.
P_CREDIT_RETURNS, P_CREDIT_EXPIRES = 0.8, 0.25

CAMPAIGNS = (("newsletter", "email", "launch"), ("twitter", "social", "early-bird"),
             ("python-weekly", "email", "sponsor"), ("google", "cpc", "last-call"))
CANCEL_REASONS = ("Customer changed their mind", "Duplicate order", "Wrong ticket type")
REFUND_REASONS = ("Cannot attend", "Visa denied", "Bought twice", "Switched to online")
# (ticket, weight, share of group orders): corporate buyers often send a team.
TICKET_MIX = ((INDIVIDUAL, 50, 0.02), (CORPORATE, 22, 0.35), (STUDENT, 13, 0.0), (ONLINE, 15, 0.05))
GROUP_SIZES = range(2, 9)


def attendees_per_order() -> float:
    """Expected registered attendees per planned order, used to size the order count."""
    weights = sum(weight for _, weight, _ in TICKET_MIX)
    extra = sum(GROUP_SIZES) / len(GROUP_SIZES) - 1
    quantity = sum(weight * (1 + share * extra) for _, weight, share in TICKET_MIX) / weights
    return quantity * (1 - P_CANCELLED - P_HOLD_EXPIRED)


def day_weights() -> list[float]:
    """Relative sales per day: a launch spike decaying over the first days, a bump at the end."""
    return [1 + 6 * math.exp(-day / 2) + (2 if day >= SALES_DAYS - 5 else 0)
            for day in range(SALES_DAYS)]


@dataclass(slots=True)
class Customer:
    """A buyer or attendee; `is_attendee` once registered for a ticket."""

    customer_id: str
    name: str
    email: str
    company: str | None = None
    is_attendee: bool = False

    def payload(self) -> Event:
        data = {"customer_id": self.customer_id, "email": self.email, "name": self.name}
        return data | {"company": self.company} if self.company else data


@dataclass(slots=True)
class Credit:
    """Store credit being tracked while the simulation spends it."""

    credit_id: str
    customer: Customer
    remaining: Decimal
    issued_at: datetime
    expires_at: datetime | None

    def usable_at(self, at: datetime) -> bool:
        """Issued before `at`, not expired within the hour after it, something left."""
        fresh = self.expires_at is None or at + timedelta(hours=1) < self.expires_at
        return self.remaining > ZERO and self.issued_at < at and fresh


@dataclass(slots=True)
class Order:
    """A placed order and what has happened to its money so far."""

    order_id: str
    customer: Customer
    placed_at: datetime
    items: list[tuple[Product, int]]
    total: Decimal
    credit: Credit | None
    hold_until: datetime
    speaker: bool
    payment_id: str = ""
    by_credit: bool = False
    refunded: Decimal = ZERO


@dataclass
class SalesSimulation:
    """Sixty days of checkout activity emitted into `out`; its counters size the catalogue."""

    rng: random.Random
    out: Emitter
    timeline: Timeline
    attendees: int
    speakers_with_orders: int
    placed: Counter[str] = field(default_factory=Counter)
    voucher_uses: Counter[str] = field(default_factory=Counter)
    condition_uses: Counter[str] = field(default_factory=Counter)
    revenue: Decimal = ZERO
    speakers: list[tuple[Customer, datetime]] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    _returns: list[tuple[datetime, str, Credit]] = field(default_factory=list)

    def run(self) -> SalesSimulation:
        """Place every order in time order, then let unspent expiring credits lapse."""
        moments = self._order_moments()
        speaker_orders = set(self.rng.sample(range(len(moments)), min(len(moments),
                                                                     self.speakers_with_orders)))
        for index, at in enumerate(moments):
            if self.rng.random() < 0.12:
                self._lost_cart(at - timedelta(hours=self.rng.randrange(1, 12)))
            self._order(at, index in speaker_orders)
        for credit in self.credits:
            if credit.expires_at is not None and credit.remaining > ZERO:
                self.out.emit(CHECKOUT, "credit.expired", credit.expires_at,
                              {"credit_id": credit.credit_id})
        return self

    def _order_moments(self) -> list[datetime]:
        count = math.ceil(self.attendees / attendees_per_order())
        days = self.rng.choices(range(SALES_DAYS), day_weights(), k=count)
        start = self.timeline.sales_start
        return sorted(start + timedelta(days=day, seconds=self.rng.randrange(86_400))
                      for day in days)

    def _customer(self, company: str | None = None) -> Customer:
        customer_id = self.out.new_id("cust")
        name, email = person(self.rng, int(customer_id[5:]))
        return Customer(customer_id, name, email, company)

    def _buyer(self, at: datetime, speaker: bool) -> tuple[Customer, Credit | None]:
        """A customer due back with store credit, else someone new (a third from a company)."""
        credit = None if speaker else self._returning_credit(at)
        if credit is not None:
            return credit.customer, credit
        company = self.rng.choice(COMPANIES) if self.rng.random() < 0.3 else None
        return self._customer(company), None

    def _returning_credit(self, at: datetime) -> Credit | None:
        """The next credit whose holder is due back; one who comes back after expiry spends none."""
        while self._returns and self._returns[0][0] < at:
            credit = heapq.heappop(self._returns)[2]
            if credit.usable_at(at):
                return credit
        return None

    def _come_back(self, credit: Credit, at: datetime) -> None:
        back = at + timedelta(days=self.rng.randint(1, 30), seconds=self.rng.randrange(86_400))
        heapq.heappush(self._returns, (back, credit.credit_id, credit))

    def _open_cart(self, customer: Customer, at: datetime) -> tuple[str, datetime]:
        cart_id = self.out.new_id("cart")
        opened = at - timedelta(seconds=self.rng.randrange(60, 1200))
        self.out.emit(CHECKOUT, "cart.opened", opened, {
            "cart_id": cart_id, "customer_id": customer.customer_id,
            "expires_at": (opened + CART_TTL).isoformat()})
        return cart_id, opened + CART_TTL

    def _lost_cart(self, at: datetime) -> None:
        cart_id, expires_at = self._open_cart(self._customer(), at)
        if self.rng.random() < 0.5:
            self.out.emit(CHECKOUT, "cart.expired", expires_at, {"cart_id": cart_id})
        else:
            self.out.emit(CHECKOUT, "cart.abandoned", at, {"cart_id": cart_id})

    def _items(self, speaker: bool) -> list[tuple[Product, int]]:
        if speaker:
            items = [(SPEAKER, 1), (DINNER, 1)] if self.rng.random() < 0.6 else [(SPEAKER, 1)]
            return [*items, (TSHIRT, 1)] if self.rng.random() < 0.3 else items
        ticket, _, group_share = self.rng.choices(TICKET_MIX, [w for _, w, _ in TICKET_MIX])[0]
        quantity = self.rng.choice(GROUP_SIZES) if self.rng.random() < group_share else 1
        items = [(ticket, quantity)]
        if self.rng.random() < 0.3:
            items.append((TSHIRT, quantity))
        if ticket is not ONLINE and self.rng.random() < 0.15:
            items.append((TUTORIAL, 1))
        if ticket is not ONLINE and self.rng.random() < 0.1:
            items.append((DINNER, quantity))
        return items

    def _voucher(self, at: datetime) -> Voucher | None:
        if self.rng.random() >= P_VOUCHER:
            return None
        valid = [voucher for voucher in vouchers(self.timeline) if voucher.offered_at(at)]
        weights = [4 if voucher.voucher_type == "percentage" else 1 for voucher in valid]
        return self.rng.choices(valid, weights)[0]

    def _condition(self, product: Product, quantity: int, at: datetime,
                   items: list[tuple[Product, int]]) -> Condition | None:
        if product is INDIVIDUAL and at < self.timeline.sales_start + timedelta(days=10):
            return EARLY_BIRD
        if product is CORPORATE and quantity >= 5:
            return GROUP
        if product is DINNER and items[0][0] is SPEAKER:
            return SPEAKER_DINNER
        if product is TSHIRT and any(item is TUTORIAL for item, _ in items):
            return TUTORIAL_SHIRT
        return None

    def _lines(self, items: list[tuple[Product, int]], at: datetime,
               voucher: Voucher | None) -> tuple[list[Event], Decimal, Decimal]:
        """Priced line items; a voucher replaces the automatic conditions on its order."""
        lines, subtotal, discount = [], ZERO, ZERO
        for product, quantity in items:
            gross = product.price * quantity
            condition = None if voucher else self._condition(product, quantity, at, items)
            cut = (voucher.discount(product, gross) if voucher
                   else condition.discount(gross) if condition else ZERO)
            line = {"product_id": product.product_id, "kind": product.kind,
                    "description": product.name, "quantity": quantity,
                    "unit_price": money(product.price), "discount_amount": money(cut),
                    "line_total": money(gross - cut)}
            if condition:
                line["discount_condition_ids"] = [condition.condition_id]
            lines.append(line)
            subtotal, discount = subtotal + gross, discount + cut
        return lines, subtotal, discount

    def _outcome(self, at: datetime) -> str:
        roll = self.rng.random()
        if roll < P_CANCELLED:
            return "cancelled"
        if roll < P_CANCELLED + P_HOLD_EXPIRED:
            return "expired"
        late = at > self.timeline.sales_end - timedelta(days=7)
        return "pending" if late and self.rng.random() < P_INVOICE_HOLD else "paid"

    def _order(self, at: datetime, speaker: bool) -> None:
        customer, credit = self._buyer(at, speaker)
        items = self._items(speaker)
        voucher = None if speaker else self._voucher(at)
        lines, subtotal, discount = self._lines(items, at, voucher)
        outcome = "paid" if speaker else self._outcome(at)
        hold_until = at + (INVOICE_HOLD if outcome == "pending" else CART_TTL)
        order = Order(self.out.new_id("ord"), customer, at, items, subtotal - discount, credit,
                      hold_until, speaker)
        data = {"order_id": order.order_id, "customer": customer.payload(), "line_items": lines,
                "subtotal": money(subtotal), "discount_amount": money(discount),
                "total": money(order.total), "hold_expires_at": hold_until.isoformat()}
        if voucher:
            data["voucher_code"] = voucher.code
        if self.rng.random() < 0.4:
            data |= dict(zip(("utm_source", "utm_medium", "utm_campaign"),
                             self.rng.choice(CAMPAIGNS), strict=True))
        cart_id = self._open_cart(customer, at)[0] if self.rng.random() < 0.85 else None
        self.out.emit(CHECKOUT, "order.placed", at, data)
        if cart_id:
            self.out.emit(CHECKOUT, "cart.checked_out", at, {"cart_id": cart_id,
                                                              "order_id": order.order_id})
        self._settle(order, outcome, data)
        if credit is not None and credit.remaining > ZERO:
            self._come_back(credit, at)

    def _settle(self, order: Order, outcome: str, data: Event) -> None:
        """Cancel the order, let its hold lapse, leave it pending or pay it; count what it holds."""
        if outcome == "cancelled":
            self.out.emit(CHECKOUT, "order.cancelled", order.placed_at + timedelta(minutes=10), {
                "order_id": order.order_id, "reason": self.rng.choice(CANCEL_REASONS)})
            return
        if outcome == "expired":
            self.out.emit(CHECKOUT, "order.hold_expired", order.hold_until,
                          {"order_id": order.order_id})
            return
        self.placed.update({product.product_id: quantity for product, quantity in order.items})
        self.voucher_uses.update([data["voucher_code"]] if "voucher_code" in data else [])
        self.condition_uses.update(condition_id for line in data["line_items"]
                                   for condition_id in line.get("discount_condition_ids", ()))
        if outcome == "paid":
            paid_at = self._pay(order)
            self.revenue += order.total
            self._refund(order, paid_at)
            self._register(order, paid_at)
            if order.speaker:
                self.speakers.append((order.customer, paid_at))
            if self.rng.random() < P_GOODWILL:
                self._goodwill(order.customer, paid_at)

    def _payment(self, type_: str, payment_id: str, order: Order, method: str, amount: Decimal,
                 at: datetime, **extra: str) -> None:
        self.out.emit(CHECKOUT, type_, at, {"payment_id": payment_id, "order_id": order.order_id,
                                            "method": method, "amount": money(amount), **extra})

    def _pay(self, order: Order) -> datetime:
        """Pay the order in full; returns the moment it became paid."""
        at = order.placed_at + timedelta(seconds=self.rng.randrange(5, 180))
        if order.total == ZERO:
            self._payment("payment.succeeded", self.out.new_id("pay"), order, "comp", ZERO, at)
            return at
        due, credit = order.total, order.credit
        if credit is not None:
            drawn = min(credit.remaining, due)
            self._payment("payment.succeeded", self.out.new_id("pay"), order, "credit", drawn, at,
                          credit_id=credit.credit_id)
            credit.remaining -= drawn
            order.by_credit, due = True, due - drawn
            if due == ZERO:
                return at
        return self._card(order, due, at + timedelta(seconds=30))

    def _card(self, order: Order, due: Decimal, at: datetime) -> datetime:
        """Card, terminal or manual payment of `due`, with the occasional hiccup."""
        pay_id, roll = self.out.new_id("pay"), self.rng.random()
        stripe = {"reference": f"ch_{self.rng.getrandbits(48):012x}"}
        if roll < 0.10:
            self._payment("payment.initiated", pay_id, order, "stripe", due, at)
            at += timedelta(seconds=20)
        elif roll < 0.16:
            self._payment("payment.failed", pay_id, order, "stripe", due, at,
                          reason="card_declined")
            pay_id, at = self.out.new_id("pay"), at + timedelta(minutes=3)
        elif roll < 0.20 and due >= Decimal("0.02"):
            part = (due / 2).quantize(CENT, rounding=ROUND_HALF_UP)
            self._payment("payment.succeeded", pay_id, order, "manual", part, at,
                          reference=f"bank-{order.order_id}")
            pay_id, due, at = self.out.new_id("pay"), due - part, at + timedelta(hours=2)
        method = "terminal" if roll > 0.92 else "manual" if roll > 0.86 else "stripe"
        self._payment("payment.succeeded", pay_id, order, method, due, at,
                      **(stripe if method == "stripe" else {}))
        order.payment_id = pay_id
        return at

    def _refund(self, order: Order, paid_at: datetime) -> None:
        """Sometimes refund part or all of a card-paid order, to the card or as store credit."""
        if order.by_credit or order.total == ZERO or self.rng.random() >= P_REFUND:
            return
        plans = ((("original_payment", Decimal(1)),), (("original_payment", Decimal("0.5")),),
                 (("store_credit", Decimal(1)),), (("store_credit", Decimal("0.5")),),
                 (("original_payment", Decimal("0.5")), ("store_credit", Decimal(1))))
        at = paid_at
        for destination, share in self.rng.choice(plans):
            at = self.timeline.soon_after(self.rng, at, 14)
            amount = ((order.total - order.refunded) * share).quantize(CENT, rounding=ROUND_HALF_UP)
            if amount <= ZERO:
                return
            data = {"refund_id": self.out.new_id("rf"), "order_id": order.order_id,
                    "amount": money(amount), "destination": destination,
                    "reason": self.rng.choice(REFUND_REASONS)}
            if destination == "original_payment":
                data["payment_id"] = order.payment_id
            else:
                data["credit_id"] = self._new_credit(order.customer, amount, at)
            self.out.emit(CHECKOUT, "refund.issued", at, data)
            order.refunded += amount

    def _new_credit(self, customer: Customer, amount: Decimal, at: datetime) -> str:
        """Track a new credit: most holders come back to spend it, a quarter of credits lapse."""
        lapse = at + timedelta(days=self.rng.randint(20, 40))
        expires = (self.rng.random() < P_CREDIT_EXPIRES
                   and lapse < self.timeline.now - timedelta(hours=1))
        credit = Credit(self.out.new_id("cr"), customer, amount, at, lapse if expires else None)
        self.credits.append(credit)
        if self.rng.random() < P_CREDIT_RETURNS:
            self._come_back(credit, at)
        return credit.credit_id

    def _goodwill(self, customer: Customer, paid_at: datetime) -> None:
        at = self.timeline.soon_after(self.rng, paid_at, 10)
        amount = Decimal(self.rng.choice((25, 50, 100)))
        self.out.emit(CHECKOUT, "credit.issued", at, {
            "credit_id": self._new_credit(customer, amount, at),
            "customer_id": customer.customer_id,
            "amount": money(amount), "note": "Goodwill: sorry about the badge mix-up"})

    def _register(self, order: Order, paid_at: datetime) -> None:
        """One attendee per ticket: the buyer first, then colleagues as customers of their own."""
        at = paid_at
        checks_in = order.refunded < order.total or order.total == ZERO
        seats = [product for product, quantity in order.items if product.kind == "ticket"
                 for _ in range(quantity)]
        for product in seats:
            buyer = order.customer
            holder = self._customer(buyer.company) if buyer.is_attendee else buyer
            holder.is_attendee = True
            at += timedelta(seconds=self.rng.randrange(30, 600))
            self._attendee(order, holder, at, checks_in and product is not ONLINE)

    def _attendee(self, order: Order, holder: Customer, at: datetime, in_person: bool) -> None:
        attendee_id = self.out.new_id("att")
        data = {"attendee_id": attendee_id, "customer_id": holder.customer_id,
                "order_id": order.order_id, "name": holder.name, "email": holder.email}
        if self.rng.random() < 0.9:
            data["access_code"] = f"{self.rng.getrandbits(40):010X}"
        self.out.emit(CHECKOUT, "attendee.registered", at, data)
        if self.rng.random() < 0.85:
            done = self.timeline.soon_after(self.rng, at, 4)
            self.out.emit(CHECKOUT, "attendee.registration_completed", done,
                          {"attendee_id": attendee_id})
        if in_person and self.rng.random() < 0.75:
            self.out.emit(CHECKOUT, "attendee.checked_in", self.timeline.check_in_moment(self.rng),
                          {"attendee_id": attendee_id})

