"""Eight clients hammering the same orders and purchase orders at once (payments, refunds, credit
notes, the same event twice, a cancel racing payments): no lost update, no payment applied twice,
refunds within the refundable amount, purchase-order statuses by the contract's rule, and every
answer a success or a documented 409: optimistic-concurrency conflicts are retried inside the
ledger and never reach a client.

Each round starts all clients together at a barrier, so their writes land on the same aggregates at
the same moment.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import httpx
import pytest
from eventsourcing.persistence import IntegrityError

from api.app import create_app
from api.services import Services
from ledger.application import Ledger
from ledger.base import entity_id
from ledger.orders import PAID, PARTIALLY_REFUNDED, PENDING, REFUNDED, SOLD, Order
from ledger.purchase_orders import PurchaseOrder, derive_status
from tests.factories import (
    cancel_purchase_order,
    create_purchase_order,
    issue_credit_note,
    pay,
    place_order,
    record_po_payment,
    refund,
    send_purchase_order,
)
from tests.reliability.books import (
    BOOTSTRAP,
    EVENTS_PATH,
    NOW,
    SLUG,
    conference_events,
    logged_keys,
)
from tests.reliability.harness import serving

pytestmark = pytest.mark.slow
CLIENTS = 8
ROUNDS = 40
ORDERS = ("o0", "o1", "o2")
POS = ("po0", "po1")
DOCUMENTED_409 = {"refund-exceeds-refundable", "purchase-order-cancelled",
                  "purchase-order-has-payments"}


@dataclass
class Outcomes:
    """Every event sent and the status each answer gave it, shared by the client threads."""

    recorded: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, event: dict[str, Any], response: httpx.Response) -> None:
        with self.lock:
            self.statuses.append(response.status_code)
            if response.status_code == 201:
                self.recorded.append(event)
            elif response.status_code == 409:
                self.refused += [e["code"] for e in response.json()["errors"]]


def books() -> list[dict[str, Any]]:
    """Three orders of 100.00 placed, two purchase orders of 1,000.00 sent, one left in draft."""
    return [*conference_events(),
            *[place_order(order_id=o, total="100.00", id=f"placed-{o}") for o in ORDERS],
            *[create_purchase_order(po_id=p, id=f"created-{p}") for p in (*POS, "po-race")],
            *[send_purchase_order(po_id=p, id=f"sent-{p}") for p in POS]]


def move(client: int, round_: int, rng: random.Random) -> dict[str, Any]:
    """This client's event for this round: a payment, refund, PO payment or credit note."""
    name = f"c{client}-r{round_}"
    order, po = rng.choice(ORDERS), rng.choice(POS)
    if round_ == 0:  # the race: one client cancels a draft PO while the others pay it
        return (cancel_purchase_order(po_id="po-race", id=f"cancel-{name}") if client == 0 else
                record_po_payment(po_id="po-race", amount="10.00", id=f"race-{name}",
                                  payment_id=f"race-{name}"))
    if round_ % 4 == 1:  # client pairs send the very same payment at the same moment
        twin = f"twin-r{round_}-p{client // 2}"
        return pay(order_id=ORDERS[client // 2 % 3], amount="30.00", id=twin, payment_id=twin)
    return rng.choice([
        lambda: pay(order_id=order, amount="30.00", id=f"pay-{name}", payment_id=f"pay-{name}"),
        lambda: refund(order_id=order, amount="40.00", id=f"ref-{name}", refund_id=f"ref-{name}"),
        lambda: record_po_payment(po_id=po, amount="150.00", id=f"popay-{name}",
                                  payment_id=f"popay-{name}"),
        lambda: issue_credit_note(po_id=po, amount="60.00", id=f"cn-{name}",
                                  credit_note_id=f"cn-{name}")])()


def hammer(base_url: str, client: int, barrier: threading.Barrier, outcomes: Outcomes) -> None:
    rng = random.Random(client)
    with httpx.Client(base_url=base_url, headers=BOOTSTRAP, timeout=60) as http:
        for round_ in range(ROUNDS):
            event = move(client, round_, rng)
            barrier.wait(60)
            outcomes.keep(event, http.post(EVENTS_PATH, json=[event]))


def count_conflicts(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the optimistic-concurrency conflicts the ledger meets (and retries)."""
    conflicts = [0]
    receipt = ledger._receipt

    def counting(*args: Any) -> Any:
        try:
            return receipt(*args)
        except IntegrityError:
            conflicts[0] += 1
            raise

    monkeypatch.setattr(ledger, "_receipt", counting)
    return conflicts


def test_eight_clients_on_the_same_orders_and_purchase_orders_keep_the_books_right(
        services: Services, monkeypatch: pytest.MonkeyPatch,
        figure: Callable[[str], None]) -> None:
    services.record(SLUG, books(), now=NOW)
    conflicts = count_conflicts(services.ledger, monkeypatch)
    outcomes = Outcomes()
    barrier = threading.Barrier(CLIENTS)
    with serving(create_app(services.settings, services=services)) as base_url:
        clients = [threading.Thread(target=hammer, args=(base_url, c, barrier, outcomes))
                   for c in range(CLIENTS)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(120)
    # Then every answer was a success, a duplicate or a documented refusal: never a 5xx
    assert len(outcomes.statuses) == CLIENTS * ROUNDS
    assert set(outcomes.statuses) <= {200, 201, 409}, sorted(set(outcomes.statuses))
    assert set(outcomes.refused) <= DOCUMENTED_409, outcomes.refused
    assert conflicts[0] > 0  # the clients did collide, and the ledger retried
    database = "PostgreSQL" if services.settings.is_postgres else "SQLite"
    figure(f"concurrency ({database}): {CLIENTS} clients, {len(outcomes.statuses)} requests, "
           f"{conflicts[0]} conflicts retried in the ledger, {len(outcomes.refused)} documented "
           "409s, 0 errors")
    # And each twin payment was recorded once and answered as a duplicate once
    twins = [e["id"] for e in outcomes.recorded if e["id"].startswith("twin-")]
    assert len(twins) == len(set(twins)) == len(range(1, ROUNDS, 4)) * CLIENTS // 2
    # And every recorded event is in the log exactly once
    counts = logged_keys(services)
    assert all(counts[(e["source"], e["id"])] == 1 for e in outcomes.recorded)
    assert_orders_add_up(services, outcomes.recorded)
    assert_purchase_orders_follow_the_rule(services, outcomes.recorded)


def amounts(recorded: list[dict[str, Any]], type_: str, key: str) -> dict[str, Decimal]:
    """Σ amount of the recorded events of `type_`, by the entity named in data[`key`]."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for event in recorded:
        if event["type"] == type_:
            sums[event["data"][key]] += Decimal(event["data"]["amount"])
    return sums


def history(services: Services, aggregate_id: UUID) -> list[Any]:
    """The aggregate's domain events, oldest first."""
    return list(services.ledger.events.get(aggregate_id))


def assert_orders_add_up(services: Services, recorded: list[dict[str, Any]]) -> None:
    """No lost update and no double payment: each order holds exactly the recorded payments and
    refunds; refunds never exceed payments; each derived status follows the running totals."""
    paid = amounts(recorded, "payment.succeeded", "order_id")
    refunded = amounts(recorded, "refund.issued", "order_id")
    for order_id in ORDERS:
        aggregate_id = entity_id(SLUG, "order", order_id)
        order = cast(Order, services.ledger.repository.get(aggregate_id))
        assert (order.paid, order.refunded) == (paid[order_id], refunded[order_id])
        assert order.refunded <= order.paid
        total = running_paid = running_refunded = Decimal(0)
        status = PENDING
        for event in history(services, aggregate_id):
            if event.type_name() == "order.placed":
                total = event.total
            elif event.type_name() == "payment.succeeded":
                running_paid += event.amount
                status = PAID if status == PENDING and running_paid >= total else status
                assert event.order_status == status
            elif event.type_name() == "refund.issued":
                running_refunded += event.amount
                assert running_refunded <= running_paid
                if status in SOLD:  # a refund of a partly paid, pending order leaves it pending
                    status = REFUNDED if running_refunded >= total else PARTIALLY_REFUNDED
                assert event.order_status == status


def assert_purchase_orders_follow_the_rule(services: Services,
                                           recorded: list[dict[str, Any]]) -> None:
    """Each PO holds exactly the recorded payments and credit notes, every status it carried is
    the contract's rule applied to the totals before it, and the raced PO was either cancelled
    with no payment or paid and never cancelled."""
    paid = amounts(recorded, "purchase_order.payment_recorded", "po_id")
    credited = amounts(recorded, "purchase_order.credit_note_issued", "po_id")
    for po_id in (*POS, "po-race"):
        aggregate_id = entity_id(SLUG, "purchase-order", po_id)
        po = cast(PurchaseOrder, services.ledger.repository.get(aggregate_id))
        assert (po.paid, po.credited) == (paid[po_id], credited[po_id])
        totals: dict[str, Any] = {"total": po.total, "paid": Decimal(0),
                                  "credited": Decimal(0), "payments": 0, "credit_notes": 0,
                                  "sent": False}
        for event in history(services, aggregate_id):
            kind = event.type_name()
            totals["sent"] |= kind == "purchase_order.sent"
            if kind == "purchase_order.payment_recorded":
                totals["paid"] += event.amount
                totals["payments"] += 1
            if kind == "purchase_order.credit_note_issued":
                totals["credited"] += event.amount
                totals["credit_notes"] += 1
            if hasattr(event, "po_status"):
                assert event.po_status == derive_status(**totals)
    race = cast(PurchaseOrder,
                services.ledger.repository.get(entity_id(SLUG, "purchase-order", "po-race")))
    assert (race.status == "cancelled") == (paid["po-race"] == 0)
