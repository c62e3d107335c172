"""Deterministic demo and benchmark data: one whole conference as CloudEvents 1.0 dicts.

`generate_conference` tells a conference's story the way the systems around Confledger send it: the
admin configures the conference and its catalogue, checkout sells for 60 days (a launch spike, a
bump before the end) ending a week before `now` (`api.demo_sales`), finance records expenses and
travel grants, the purchase-order system invoices companies and the CfP syncs speakers. Events come
back in causal order with non-decreasing `time`, all before `now`; the same arguments always give
the same events. `events_for_size` sizes a conference to an event count for benchmarks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from operator import itemgetter

from api.demo_catalogue import (
    COMPANIES,
    CONDITIONS,
    CORPORATE,
    ONLINE,
    PATRON,
    PRODUCTS,
    SPEAKER,
    TIMEZONE,
    TSHIRT,
    TUTORIAL,
    ZERO,
    Emitter,
    Event,
    Timeline,
    between,
    money,
    person,
    vouchers,
)
from api.demo_sales import SalesSimulation
from projections.collector import collector_paused

ADMIN, FINANCE, PO_SYSTEM, CFP = "admin", "finance", "po-system", "cfp"
CALIBRATION_ATTENDEES = 2_000
# (category_id, name, budget in USD per attendee); miscellaneous has no budget.
CATEGORIES = (("venue", "Venue", 40), ("catering", "Catering", 60), ("av", "Audio/visual", 12),
              ("swag", "Swag", 9), ("travel", "Speaker travel", 6), ("misc", "Miscellaneous", None))
VENDORS = ("Convention Center", "Good Food Co", "Sound & Light", "Print Shop", "Travel Desk")
GRANT_PATHS = (("submitted", "offered", "accepted", "disbursed"),
               ("submitted", "info_needed", "submitted", "offered", "accepted"),
               ("submitted", "rejected"), ("submitted", "withdrawn"),
               ("submitted", "offered", "declined"),
               ("submitted", "need_more", "offered", "accepted", "disbursed"), ("submitted",))
APPROVED_STATUSES = {"offered", "need_more", "accepted", "declined", "disbursed"}
# The first POs take one plan each, so every purchase-order status appears whatever the size.
PO_PLANS = ("draft", "sent", "partially_paid", "paid", "credit_note", "overpaid", "cancelled")
PO_PLAN_WEIGHTS = (1, 2, 2, 6, 1, 1, 1)
PO_METHODS = ("wire", "ach", "check", "stripe", "other")


def generate_conference(*, slug: str = "pycon-demo", seed: int = 42, attendees: int = 2_500,
                        now: datetime) -> list[Event]:
    """Every event of a demo conference with about `attendees` registered attendees.

    Everything random comes from `random.Random(seed)`; a naive `now` is taken as UTC.
    """
    if attendees < 1:
        raise ValueError("a demo conference needs at least one attendee")
    with collector_paused():
        return _tell(Emitter(slug), random.Random(seed), attendees, now)


def _tell(out: Emitter, rng: random.Random, attendees: int, now: datetime) -> list[Event]:
    timeline = Timeline((now if now.tzinfo else now.replace(tzinfo=UTC))
                        .astimezone(UTC).replace(microsecond=0))
    speakers = max(3, attendees // 50)
    sales = SalesSimulation(rng, out, timeline, attendees, speakers * 7 // 10).run()
    grants_requested = _travel_grants(rng, out, timeline, max(4, attendees // 100))
    _sync_speakers(rng, out, timeline, sales, speakers)
    _expenses(rng, out, timeline, max(8, attendees // 25), attendees)
    _purchase_orders(rng, out, timeline, max(len(PO_PLANS), attendees // 100))
    _configure(out, timeline, attendees, sales.revenue, grants_requested)
    _define_catalogue(out, timeline, sales, speakers)
    # Each story was told in causal order; a stable sort by time interleaves them and keeps that.
    out.events.sort(key=itemgetter("time"))
    return out.events


def events_for_size(*, slug: str, seed: int, target_events: int, now: datetime) -> list[Event]:
    """A demo conference of about `target_events` events (benchmarks use 10k, 100k and 1M).

    The events per attendee are measured on a 2,000-attendee conference with the same seed, and
    the attendee count is scaled from that.
    """
    sample = generate_conference(slug=slug, seed=seed, attendees=CALIBRATION_ATTENDEES, now=now)
    attendees = max(1, round(target_events * CALIBRATION_ATTENDEES / len(sample)))
    del sample  # at a million events, every megabyte counts
    return generate_conference(slug=slug, seed=seed, attendees=attendees, now=now)


def batches(events: list[Event], size: int) -> Iterator[list[Event]]:
    """Consecutive slices of at most `size` events, in order, ready to POST as batches."""
    if size < 1:
        raise ValueError("a batch holds at least one event")
    for start in range(0, len(events), size):
        yield events[start:start + size]


def _round_up(amount: Decimal, step: int) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


def _configure(out: Emitter, timeline: Timeline, attendees: int, revenue: Decimal,
               grants_requested: Decimal) -> None:
    start = timeline.conference_start
    out.emit(ADMIN, "conference.configured", timeline.configured_at, {
        "name": f"{out.slug.replace('-', ' ').title()} {start.year}", "currency": "USD",
        "timezone": TIMEZONE.key, "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=2)).isoformat(),
        "revenue_budget": money(_round_up(revenue * Decimal("1.1"), 1_000)),
        "target_attendance": math.ceil(attendees * 1.1 / 10) * 10,
        "grant_budget": money(_round_up(grants_requested * Decimal("0.6"), 1_000)),
        "card_fee_percent": "2.9", "card_fee_fixed": "0.30"})


def _define_catalogue(out: Emitter, timeline: Timeline, sales: SalesSimulation,
                      speakers: int) -> None:
    """Products, vouchers and conditions, limits sized from what the checkout went on to sell."""
    at = timeline.configured_at + timedelta(minutes=1)
    window = {"available_from": timeline.sales_start.isoformat(),
              "available_until": timeline.sales_end.isoformat()}
    # Online and T-shirts are unlimited; tutorials sell out (a few oversold); the rest has room.
    fixed = {ONLINE.product_id: 0, TSHIRT.product_id: 0, SPEAKER.product_id: speakers,
             PATRON.product_id: 20,
             TUTORIAL.product_id: max(10, sales.placed[TUTORIAL.product_id] // 10 * 10)}
    for order, product in enumerate(PRODUCTS):
        roomy = math.ceil(sales.placed[product.product_id] * 1.08 / 10) * 10
        limit = fixed.get(product.product_id, roomy)
        data = {"product_id": product.product_id, "name": product.name,
                "price": money(product.price), "total_quantity": limit,
                "is_active": product is not PATRON, "sort_order": order}
        kind = "ticket_type" if product.kind == "ticket" else "addon"
        out.emit(ADMIN, f"{kind}.defined", at, data | window if kind == "ticket_type" else data)
    _define_vouchers(out, at, timeline, sales)
    _define_conditions(out, at, sales)


def _define_vouchers(out: Emitter, at: datetime, timeline: Timeline,
                     sales: SalesSimulation) -> None:
    for voucher in vouchers(timeline):
        used = sales.voucher_uses[voucher.code]
        # The volunteer code went out once too often: the vouchers report shows it above 100 %.
        max_uses = max(1, used - 1) if voucher.voucher_type == "comp" else max(10, used * 5 // 4)
        data = {"code": voucher.code, "voucher_type": voucher.voucher_type,
                "discount_value": money(voucher.value), "max_uses": max_uses,
                "is_active": voucher.is_active}
        if voucher.valid_until:
            data |= {"valid_from": timeline.sales_start.isoformat(),
                     "valid_until": voucher.valid_until.isoformat()}
        out.emit(ADMIN, "voucher.defined", at, data)


def _define_conditions(out: Emitter, at: datetime, sales: SalesSimulation) -> None:
    for priority, condition in enumerate(CONDITIONS):
        data = {"condition_id": condition.condition_id, "condition_type": condition.condition_type,
                "name": condition.name, "is_active": condition.is_active, "priority": priority,
                "discount_type": condition.discount_type,
                "discount_value": money(condition.value),
                "applicable_products": list(condition.products)}
        if condition.condition_type == "time_or_stock_limit":
            data["limit"] = max(50, sales.condition_uses[condition.condition_id] * 5 // 4)
        out.emit(ADMIN, "discount_condition.defined", at, data)


def _sync_speakers(rng: random.Random, out: Emitter, timeline: Timeline, sales: SalesSimulation,
                   count: int) -> None:
    """Speakers from the CfP: most bought a speaker ticket, the rest have no order yet."""
    linked: list[tuple[str, str, str | None, datetime]] = [
        (customer.name, customer.email, customer.customer_id, timeline.soon_after(rng, paid_at, 1))
        for customer, paid_at in sales.speakers]
    for number in range(count - len(linked)):
        name, email = person(rng, number, "speakers.example.org")
        linked.append((name, email, None, between(rng, timeline.sales_start, timeline.sales_end)))
    for name, email, customer_id, at in linked:
        data: Event = {"speaker_id": out.new_id("spk"), "name": name, "email": email,
                       "talk_count": rng.choice((1, 1, 1, 2))}
        if customer_id:
            data["customer_id"] = customer_id
        out.emit(CFP, "speaker.synced", at, data)
        if rng.random() < 0.2:  # a second talk accepted later
            later = timeline.soon_after(rng, at, 5)
            out.emit(CFP, "speaker.synced", later, data | {"talk_count": data["talk_count"] + 1})


def _travel_grants(rng: random.Random, out: Emitter, timeline: Timeline, count: int) -> Decimal:
    """Grant applications walking through their statuses; returns the total requested."""
    requested_total = ZERO
    for index in range(count):
        path = GRANT_PATHS[index] if index < len(GRANT_PATHS) else rng.choice(GRANT_PATHS)
        requested = Decimal(rng.randint(4, 30) * 50)
        approved = requested if rng.random() < 0.6 else Decimal(rng.randint(2, 4) * 50) * 3
        data = {"grant_id": out.new_id("grant"), "requested_amount": money(requested)}
        at = between(rng, timeline.sales_start, timeline.sales_end - timedelta(days=20))
        for status in path:
            step = data | {"status": status}
            if status in APPROVED_STATUSES:
                step["approved_amount"] = money(approved)
            if status == "disbursed":
                step["disbursed_amount"] = money(approved)
            out.emit(FINANCE, "travel_grant.updated", at, step)
            at = timeline.soon_after(rng, at, 6)
        requested_total += requested
    return requested_total


def _expenses(rng: random.Random, out: Emitter, timeline: Timeline, count: int,
              attendees: int) -> None:
    """Budgeted categories and expenses that land near the budget; a few are voided."""
    at = timeline.configured_at + timedelta(minutes=1)
    weights = [per_attendee or 3 for _, _, per_attendee in CATEGORIES]
    for category_id, name, per_attendee in CATEGORIES:
        data = {"category_id": category_id, "name": name}
        if per_attendee:
            data["budget_amount"] = money(Decimal(per_attendee * attendees))
        out.emit(ADMIN, "expense_category.defined", at, data)
    # A category's share of expenses follows its budget, so one mean amount fits every category.
    mean_cents = attendees * sum(weights) * 95 // count
    for _ in range(count):
        category_id = rng.choices(CATEGORIES, weights)[0][0]
        spent = between(rng, at + timedelta(days=1), timeline.now - timedelta(days=1))
        amount = Decimal(rng.randint(mean_cents // 2, mean_cents * 3 // 2)).scaleb(-2)
        expense_id = out.new_id("exp")
        out.emit(FINANCE, "expense.recorded", spent, {
            "expense_id": expense_id, "category_id": category_id,
            "description": f"{category_id.title()} invoice", "amount": money(amount),
            "vendor": rng.choice(VENDORS), "date": timeline.local_date(spent)})
        if rng.random() < 0.04:
            out.emit(FINANCE, "expense.voided", timeline.soon_after(rng, spent, 3),
                     {"expense_id": expense_id, "reason": "Entered twice"})


def _purchase_orders(rng: random.Random, out: Emitter, timeline: Timeline, count: int) -> None:
    """Company invoices; the first seven take one plan each so every status shows up."""
    for index in range(count):
        plan = PO_PLANS[index] if index < len(PO_PLANS) else rng.choices(PO_PLANS,
                                                                           PO_PLAN_WEIGHTS)[0]
        po_id, total, at = _create_po(rng, out, timeline, index)
        if plan == "draft":
            continue
        at = timeline.soon_after(rng, at, 3)
        if plan != "cancelled" or rng.random() < 0.5:
            out.emit(PO_SYSTEM, "purchase_order.sent", at, {"po_id": po_id})
        if plan == "cancelled":
            out.emit(PO_SYSTEM, "purchase_order.cancelled", timeline.soon_after(rng, at, 3),
                     {"po_id": po_id, "reason": "Company booked individually instead"})
        else:
            _collect_po(rng, out, timeline, po_id=po_id, total=total, plan=plan, at=at)


def _create_po(rng: random.Random, out: Emitter, timeline: Timeline,
               index: int) -> tuple[str, Decimal, datetime]:
    seats = rng.randint(3, 20)
    lines: list[tuple[str, int, Decimal, str | None]] = [
        (CORPORATE.name + " ticket", seats, CORPORATE.price, CORPORATE.product_id)]
    if rng.random() < 0.4:
        lines.append((TUTORIAL.name, rng.randint(1, seats), TUTORIAL.price, TUTORIAL.product_id))
    if rng.random() < 0.3:
        lines.append(("Sponsor booth package", 1, Decimal(rng.choice((2500, 5000))), None))
    items = [{"description": text, "quantity": quantity, "unit_price": money(price),
              "line_total": money(price * quantity)} | ({"product_id": pid} if pid else {})
             for text, quantity, price, pid in lines]
    total = sum((price * quantity for _, quantity, price, _ in lines), ZERO)
    company = COMPANIES[index % len(COMPANIES)]
    contact, email = person(rng, index, company.split()[0].lower() + ".com")
    at = between(rng, timeline.sales_start, timeline.sales_end - timedelta(days=20))
    po_id = out.new_id("po")
    out.emit(PO_SYSTEM, "purchase_order.created", at, {
        "po_id": po_id, "reference": f"PO-{at.year}-{index + 1:04d}",
        "organization_name": company, "contact_name": contact,
        "contact_email": email, "billing_address": f"{index + 1} Market Street, Springfield",
        "line_items": items, "subtotal": money(total), "total": money(total), "notes": "Net 30"})
    return po_id, total, at


def _collect_po(rng: random.Random, out: Emitter, timeline: Timeline, *, po_id: str,
                total: Decimal, plan: str, at: datetime) -> None:
    """Payments (and a credit note) that leave the PO in the status its plan names."""
    if plan == "credit_note":
        at = timeline.soon_after(rng, at, 6)
        out.emit(PO_SYSTEM, "purchase_order.credit_note_issued", at, {
            "po_id": po_id, "credit_note_id": out.new_id("cn"), "amount": money(CORPORATE.price),
            "reason": "One attendee fewer than ordered", "issued_by": "finance@example.org"})
        total -= CORPORATE.price
    half = (total / 2).quantize(Decimal(1))
    amounts = {"sent": [], "partially_paid": [half],
               "overpaid": [total, Decimal(rng.choice((25, 40)))],  # the bank sent fees twice
               "paid": [half, total - half] if rng.random() < 0.3 else [total]}.get(plan, [total])
    for amount in amounts:
        at = timeline.soon_after(rng, at, 14)
        payment_id = out.new_id("popay")
        method = PO_METHODS[int(payment_id[-6:]) % len(PO_METHODS)]  # every method shows up
        out.emit(PO_SYSTEM, "purchase_order.payment_recorded", at, {
            "po_id": po_id, "payment_id": payment_id, "amount": money(amount), "method": method,
            "payment_date": timeline.local_date(at), "reference": f"{method.upper()}-{payment_id}",
            "entered_by": "finance@example.org"})
