"""The demo generator tells a conference the way the contract's senders would, rule for rule.

A small replay of the books (`Books`) walks the events in order, the way the ledger would, and
notes every broken rule under a heading; each test then checks that its heading stayed empty.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from api.demo import batches, events_for_size, generate_conference

NOW = datetime(2026, 9, 1, 14, 3, tzinfo=UTC)
ZERO = Decimal("0.00")
MONEY = re.compile(r"^\d+\.\d{2}$")
SOURCES = {"conference": "admin", "ticket_type": "admin", "addon": "admin", "voucher": "admin",
           "discount_condition": "admin", "expense_category": "admin", "cart": "checkout",
           "order": "checkout", "payment": "checkout", "refund": "checkout", "credit": "checkout",
           "attendee": "checkout", "purchase_order": "po-system", "expense": "finance",
           "travel_grant": "finance", "speaker": "cfp"}
GRANT_STATUSES = {"submitted", "withdrawn", "info_needed", "offered", "need_more", "rejected",
                  "declined", "accepted", "disbursed"}
Data = dict[str, Any]


@dataclass
class Order:
    data: Data
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    cancelled: bool = False
    payments: set[str] = field(default_factory=set)

    @property
    def total(self) -> Decimal:
        return Decimal(self.data["total"])


@dataclass
class PurchaseOrder:
    total: Decimal
    sent: bool = False
    cancelled: bool = False
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    payments: int = 0

    @property
    def status(self) -> str:
        """The contract's derivation, in its order."""
        balance = self.total - self.paid - self.credited
        if self.cancelled:
            return "cancelled"
        if balance == 0 and (self.payments or self.credited):
            return "paid"
        if balance < 0:
            return "overpaid"
        if self.payments:
            return "partially_paid"
        return "sent" if self.sent else "draft"


@dataclass
class Books:
    """Just enough state to check the demo's events against the contract's rules."""

    defined: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vouchers: dict[str, Data] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    credits: dict[str, dict[str, Any]] = field(default_factory=dict)
    purchase_orders: dict[str, PurchaseOrder] = field(default_factory=dict)
    attendees_per_order: Counter[str] = field(default_factory=Counter)
    problems: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def need(self, kind: str, key: str | None) -> None:
        if key is not None and key not in self.defined[kind]:
            self.problems["reference"].append(f"{kind} {key} used before it was defined")

    def flag(self, heading: str, ok: bool, message: str) -> None:
        if not ok:
            self.problems[heading].append(message)


Handler = Callable[[Books, Data, datetime], None]


def _refs(*uses: tuple[str, str], defines: tuple[str, str] | None = None) -> Handler:
    """A handler that only follows references: `uses` must exist already, `defines` then does."""
    def handle(books: Books, data: Data, at: datetime) -> None:
        for kind, key in uses:
            books.need(kind, data[key])
        if defines:
            books.defined[defines[0]].add(data[defines[1]])
    return handle


def _voucher_defined(books: Books, data: Data, at: datetime) -> None:
    books.vouchers[data["code"]] = data
    books.defined["voucher"].add(data["code"])


def _order_placed(books: Books, data: Data, at: datetime) -> None:
    subtotal = discount = ZERO
    voucher = books.vouchers.get(data.get("voucher_code", ""))
    books.need("voucher", data.get("voucher_code"))
    for line in data["line_items"]:
        books.need("product", line["product_id"])
        for condition_id in line.get("discount_condition_ids", ()):
            books.need("condition", condition_id)
        gross = Decimal(line["unit_price"]) * line["quantity"]
        cut, line_total = Decimal(line["discount_amount"]), Decimal(line["line_total"])
        books.flag("arithmetic", line_total == gross - cut >= 0, f"{data['order_id']} line")
        if voucher and voucher["voucher_type"] == "percentage":
            expected = (gross * Decimal(voucher["discount_value"]) / 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            books.flag("arithmetic", cut == expected, f"{data['order_id']} voucher rounding")
        subtotal, discount = subtotal + gross, discount + cut
    books.flag("arithmetic", Decimal(data["subtotal"]) == subtotal, f"{data['order_id']} subtotal")
    books.flag("arithmetic", Decimal(data["discount_amount"]) == discount,
               f"{data['order_id']} discount")
    books.flag("arithmetic", Decimal(data["total"]) == subtotal - discount >= 0,
               f"{data['order_id']} total")
    books.orders[data["order_id"]] = Order(data)
    books.defined["order"].add(data["order_id"])


def _pending(books: Books, data: Data) -> Order | None:
    books.need("order", data["order_id"])
    order = books.orders.get(data["order_id"])
    ok = order is not None and not order.cancelled and order.paid < order.total
    books.flag("order", ok or (order is not None and order.total == 0 == order.paid),
               f"{data['order_id']} is not pending")
    return order


def _order_closed(books: Books, data: Data, at: datetime) -> None:
    order = _pending(books, data)
    if order:
        order.cancelled = True
        hold = order.data["hold_expires_at"]
        books.flag("order", "reason" in data or at >= datetime.fromisoformat(hold),
                   f"{data['order_id']} hold expired early")


def _payment(books: Books, data: Data, at: datetime) -> None:
    order = _pending(books, data)
    amount = Decimal(data["amount"])
    if order is None:
        return
    books.flag("payment", order.paid + amount <= order.total, f"{data['payment_id']} overpays")
    books.flag("payment", (amount == 0) == (data["method"] == "comp"), f"{data['payment_id']} comp")
    if data["method"] == "credit":
        _spend_credit(books, data, order, amount)
    order.paid += amount
    order.payments.add(data["payment_id"])


def _spend_credit(books: Books, data: Data, order: Order, amount: Decimal) -> None:
    books.need("credit", data["credit_id"])
    credit = books.credits.get(data["credit_id"], {"remaining": ZERO, "expired": True})
    books.flag("credit", not credit["expired"], f"{data['credit_id']} spent after expiry")
    books.flag("credit", amount <= credit["remaining"], f"{data['credit_id']} overdrawn")
    books.flag("credit", credit.get("customer_id") == order.data["customer"]["customer_id"],
               f"{data['credit_id']} spent by someone else")
    credit["remaining"] -= amount


def _refund(books: Books, data: Data, at: datetime) -> None:
    books.need("order", data["order_id"])
    order = books.orders[data["order_id"]]
    amount = Decimal(data["amount"])
    books.flag("refund", order.paid == order.total > 0, f"{data['refund_id']} on an unpaid order")
    books.flag("refund", 0 < amount <= order.paid - order.refunded, f"{data['refund_id']} too big")
    if data["destination"] == "store_credit":
        books.flag("refund", data["credit_id"] not in books.credits, f"{data['refund_id']} credit")
        _credit(books, data["credit_id"], order.data["customer"]["customer_id"], amount)
    else:
        books.flag("refund", data["payment_id"] in order.payments, f"{data['refund_id']} payment")
    order.refunded += amount


def _credit(books: Books, credit_id: str, customer_id: str, amount: Decimal) -> None:
    books.credits[credit_id] = {"remaining": amount, "expired": False, "customer_id": customer_id}
    books.defined["credit"].add(credit_id)


def _credit_issued(books: Books, data: Data, at: datetime) -> None:
    _credit(books, data["credit_id"], data["customer_id"], Decimal(data["amount"]))


def _credit_expired(books: Books, data: Data, at: datetime) -> None:
    books.need("credit", data["credit_id"])
    credit = books.credits.get(data["credit_id"], {})
    books.flag("credit", credit.get("remaining", ZERO) > 0, f"{data['credit_id']} expired empty")
    credit["expired"] = True


def _attendee(books: Books, data: Data, at: datetime) -> None:
    books.need("order", data["order_id"])
    order = books.orders[data["order_id"]]
    books.attendees_per_order[data["order_id"]] += 1
    tickets = sum(line["quantity"] for line in order.data["line_items"] if line["kind"] == "ticket")
    books.flag("attendee", order.paid == order.total, f"{data['attendee_id']} on an unpaid order")
    books.flag("attendee", books.attendees_per_order[data["order_id"]] <= tickets,
               f"{data['attendee_id']}: more attendees than tickets")
    books.defined["attendee"].add(data["attendee_id"])


def _po_created(books: Books, data: Data, at: datetime) -> None:
    lines = data["line_items"]
    ok = all(Decimal(x["line_total"]) == Decimal(x["unit_price"]) * x["quantity"] for x in lines)
    subtotal = sum((Decimal(x["line_total"]) for x in lines), ZERO)
    ok = ok and Decimal(data["subtotal"]) == subtotal == Decimal(data["total"])
    books.flag("arithmetic", ok, f"{data['po_id']} does not add up")
    books.purchase_orders[data["po_id"]] = PurchaseOrder(Decimal(data["total"]))
    books.defined["purchase_order"].add(data["po_id"])


def _po_change(change: str) -> Handler:
    def handle(books: Books, data: Data, at: datetime) -> None:
        books.need("purchase_order", data["po_id"])
        po = books.purchase_orders[data["po_id"]]
        books.flag("purchase_order", not po.cancelled, f"{data['po_id']} changed after cancel")
        if change == "payment":
            po.paid, po.payments = po.paid + Decimal(data["amount"]), po.payments + 1
        elif change == "credit_note":
            po.credited += Decimal(data["amount"])
            books.flag("purchase_order", bool(data["reason"].strip()), f"{data['po_id']} reason")
        else:
            po.sent, po.cancelled = po.sent or change == "sent", change == "cancelled"
    return handle


HANDLERS: dict[str, Handler] = {
    "conference.configured": _refs(defines=("conference", "name")),
    "ticket_type.defined": _refs(defines=("product", "product_id")),
    "addon.defined": _refs(defines=("product", "product_id")),
    "voucher.defined": _voucher_defined,
    "discount_condition.defined": _refs(defines=("condition", "condition_id")),
    "expense_category.defined": _refs(defines=("category", "category_id")),
    "cart.opened": _refs(defines=("cart", "cart_id")),
    "cart.checked_out": _refs(("cart", "cart_id"), ("order", "order_id")),
    "cart.expired": _refs(("cart", "cart_id")),
    "cart.abandoned": _refs(("cart", "cart_id")),
    "order.placed": _order_placed,
    "order.cancelled": _order_closed,
    "order.hold_expired": _order_closed,
    "payment.initiated": _refs(("order", "order_id")),
    "payment.failed": _refs(("order", "order_id")),
    "payment.succeeded": _payment,
    "refund.issued": _refund,
    "credit.issued": _credit_issued,
    "credit.expired": _credit_expired,
    "attendee.registered": _attendee,
    "attendee.checked_in": _refs(("attendee", "attendee_id")),
    "attendee.registration_completed": _refs(("attendee", "attendee_id")),
    "expense.recorded": _refs(("category", "category_id"), defines=("expense", "expense_id")),
    "expense.voided": _refs(("expense", "expense_id")),
    "purchase_order.created": _po_created,
    "purchase_order.sent": _po_change("sent"),
    "purchase_order.cancelled": _po_change("cancelled"),
    "purchase_order.payment_recorded": _po_change("payment"),
    "purchase_order.credit_note_issued": _po_change("credit_note"),
    "speaker.synced": _refs(),
    "travel_grant.updated": _refs(),
}


def replay(events: list[Data]) -> Books:
    books = Books()
    for event in events:
        books.flag("reference", event["type"] == "conference.configured"
                   or bool(books.defined["conference"]), "an event before the conference")
        HANDLERS[event["type"]](books, event["data"], datetime.fromisoformat(event["time"]))
    return books


def of_type(events: list[Data], type_: str) -> list[Data]:
    return [event["data"] for event in events if event["type"] == type_]


@pytest.fixture(scope="module")
def events() -> list[Data]:
    return generate_conference(now=NOW)


@pytest.fixture(scope="module")
def books(events: list[Data]) -> Books:
    return replay(events)


def test_same_seed_gives_identical_events_and_another_seed_does_not(events: list[Data]) -> None:
    assert generate_conference(now=NOW) == events
    assert generate_conference(seed=7, now=NOW) != events


def test_naive_now_is_taken_as_utc() -> None:
    naive = NOW.replace(tzinfo=None, microsecond=500)
    assert generate_conference(attendees=40, now=naive) == generate_conference(attendees=40,
                                                                               now=NOW)


def test_events_are_cloudevents_with_unique_ids_per_source(events: list[Data]) -> None:
    assert all(set(event) == {"specversion", "id", "source", "type", "time", "data"}
               and event["specversion"] == "1.0" for event in events)
    assert all(SOURCES[event["type"].split(".")[0]] == event["source"] for event in events)
    assert len({(event["source"], event["id"]) for event in events}) == len(events)


def test_money_is_always_a_string_with_two_decimals(events: list[Data]) -> None:
    def amounts(value: Any, key: str = "") -> list[tuple[str, Any]]:
        if isinstance(value, dict):
            return [pair for k, v in value.items() for pair in amounts(v, k)]
        if isinstance(value, list):
            return [pair for item in value for pair in amounts(item, key)]
        return [(key, value)]
    money_keys = re.compile(r"amount|price|total|subtotal|budget|value")
    found = [(k, v) for event in events for k, v in amounts(event["data"])
             if money_keys.search(k) and k != "total_quantity"]
    assert found and all(isinstance(v, str) and MONEY.match(v) for _, v in found)


def test_conference_is_configured_first_in_new_york_time(events: list[Data]) -> None:
    assert events[0]["type"] == "conference.configured"
    assert events[0]["data"]["timezone"] == "America/New_York"
    assert events[0]["data"]["currency"] == "USD"


def test_times_never_go_backwards_and_stay_before_now(events: list[Data]) -> None:
    moments = [datetime.fromisoformat(event["time"]) for event in events]
    assert all(moment.tzinfo is not None for moment in moments)
    assert moments == sorted(moments)
    assert moments[-1] < NOW


def test_references_are_defined_before_use(books: Books) -> None:
    assert books.problems["reference"] == []


def test_order_and_purchase_order_arithmetic_holds_exactly(books: Books) -> None:
    assert books.problems["arithmetic"] == []


def test_payments_never_exceed_the_total_and_only_comp_pays_zero(books: Books) -> None:
    assert books.problems["payment"] == []
    assert books.problems["order"] == []


def test_every_order_ends_paid_pending_or_cancelled(books: Books) -> None:
    assert all(order.paid in (ZERO, order.total) for order in books.orders.values())
    assert not [o for o in books.orders.values() if o.cancelled and o.paid]


def test_refunds_stay_within_paid_minus_refunded(books: Books, events: list[Data]) -> None:
    assert books.problems["refund"] == []
    refunds = of_type(events, "refund.issued")
    assert {r["destination"] for r in refunds} == {"original_payment", "store_credit"}
    fully = [o for o in books.orders.values() if o.refunded and o.refunded == o.total]
    partly = [o for o in books.orders.values() if 0 < o.refunded < o.total]
    assert fully and partly


def test_credits_are_spent_within_remaining_and_never_after_expiry(books: Books,
                                                                    events: list[Data]) -> None:
    assert books.problems["credit"] == []
    methods = Counter(p["method"] for p in of_type(events, "payment.succeeded"))
    assert methods.keys() == {"stripe", "terminal", "comp", "credit", "manual"}
    assert of_type(events, "credit.expired") and of_type(events, "credit.issued")


def test_attendees_belong_to_paid_orders(books: Books) -> None:
    assert books.problems["attendee"] == []


def test_every_purchase_order_status_appears(books: Books) -> None:
    assert books.problems["purchase_order"] == []
    statuses = {po.status for po in books.purchase_orders.values()}
    assert statuses == {"draft", "sent", "partially_paid", "paid", "overpaid", "cancelled"}


def test_some_orders_are_still_held_past_now_and_some_lost_their_hold(books: Books,
                                                                      events: list[Data]) -> None:
    open_holds = [o for o in books.orders.values() if not o.cancelled and o.paid < o.total
                  and datetime.fromisoformat(o.data["hold_expires_at"]) > NOW]
    assert open_holds
    assert of_type(events, "order.hold_expired") and of_type(events, "order.cancelled")


def test_catalogue_has_limits_an_unlimited_product_and_an_unbudgeted_category(
        events: list[Data]) -> None:
    tickets = of_type(events, "ticket_type.defined")
    assert any(t["total_quantity"] == 0 for t in tickets)
    assert sum(t["total_quantity"] > 0 for t in tickets) > len(tickets) / 2
    assert any("budget_amount" not in c for c in of_type(events, "expense_category.defined"))
    assert len({c["condition_type"] for c in of_type(events, "discount_condition.defined")}) >= 3


def test_speakers_and_grants_look_like_the_cfp_and_finance_sent_them(events: list[Data]) -> None:
    buyers = {o["customer"]["customer_id"] for o in of_type(events, "order.placed")}
    linked = [s["customer_id"] for s in of_type(events, "speaker.synced") if "customer_id" in s]
    assert linked and set(linked) <= buyers
    assert {g["status"] for g in of_type(events, "travel_grant.updated")} == GRANT_STATUSES


def test_default_size_has_about_2500_attendees(events: list[Data]) -> None:
    assert 2_250 <= len(of_type(events, "attendee.registered")) <= 2_750
    assert 10_000 <= len(events) <= 25_000


def test_a_tiny_conference_keeps_every_rule() -> None:
    tiny = generate_conference(slug="tiny", seed=3, attendees=15, now=NOW)
    books = replay(tiny)
    assert not any(books.problems.values())
    assert len({po.status for po in books.purchase_orders.values()}) == 6


def test_events_for_size_lands_within_15_percent_of_the_target() -> None:
    started = time.perf_counter()
    sized = events_for_size(slug="bench", seed=1, target_events=10_000, now=NOW)
    assert 8_500 <= len(sized) <= 11_500
    assert time.perf_counter() - started < 30


def test_batches_cover_the_events_in_order_with_at_most_size_each() -> None:
    items = [{"n": n} for n in range(7)]
    assert [len(b) for b in batches(items, 3)] == [3, 3, 1]
    assert [item for batch in batches(items, 3) for item in batch] == items
    with pytest.raises(ValueError, match="at least one"):
        next(batches(items, 0))
