"""The demo conference's catalogue and the plumbing every part of the demo generator shares.

Products, vouchers and discount conditions as the checkout prices them; money as wire strings (two
decimals, half up, computed with `Decimal`); the timeline that places 60 days of sales a week before
`now`; made-up people; and the emitter that wraps data into CloudEvents 1.0 envelopes.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

Event = dict[str, Any]

TIMEZONE = ZoneInfo("America/New_York")
SALES_DAYS = 60
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

FIRST_NAMES = ("Ada", "Grace", "Guido", "Katie", "Brett", "Mariatta", "Naomi", "Carol", "Ewa",
               "Jacob", "Lynn", "Raymond", "Sumana", "Tim", "Yury", "Ngozi", "Hiro", "Amara",
               "Diego", "Priya")
LAST_NAMES = ("Lovelace", "Hopper", "Rossum", "Cunningham", "Cannon", "Wijaya", "Ceder", "Willing",
              "Jezierska", "Kaplan", "Root", "Hettinger", "Harihareswara", "Peters", "Selivanov",
              "Okafor", "Tanaka", "Mensah", "Garcia", "Raman")
COMPANIES = ("Acme Corp", "Initech", "Globex", "Umbrella Labs", "Hooli", "Stark Industries",
             "Wayne Enterprises", "Cyberdyne", "Soylent", "Tyrell")


@lru_cache(maxsize=4096)  # prices and totals repeat: sharing their strings saves memory at scale
def money(amount: Decimal) -> str:
    """The wire form of an amount: a string with exactly two decimals, rounded half up."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, quantized to cents half up (how percentage discounts round)."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second moment in [start, end)."""
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


def person(rng: random.Random, number: int, domain: str = "example.com") -> tuple[str, str]:
    """A name and an e-mail address, unique per `number` and `domain`, for a made-up person."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first}.{last}.{number}@{domain}".lower()


class Emitter:
    """Collects CloudEvents and hands out ids: event ids per type, entity ids per prefix.

    Event ids carry the conference slug: the ledger keys idempotency on (source, id) alone, so two
    demo conferences in one database must not reuse each other's ids.
    """

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.events: list[Event] = []
        self._counts: Counter[str] = Counter()

    def new_id(self, prefix: str) -> str:
        """The next id of an entity kind, e.g. `ord-000017`."""
        self._counts[prefix] += 1
        return f"{prefix}-{self._counts[prefix]:06d}"

    def emit(self, source: str, type_: str, at: datetime, data: Event) -> None:
        """Record one event; its id, `{slug}/{type}-{n}`, is unique within its source."""
        self._counts[type_] += 1
        event_id = f"{self.slug}/{type_}-{self._counts[type_]}"
        self.events.append({"specversion": "1.0", "id": event_id, "source": source, "type": type_,
                            "time": at.isoformat(), "data": data})


@dataclass(frozen=True)
class Timeline:
    """When things happen, all relative to `now` (UTC, whole seconds)."""

    now: datetime

    @property
    def sales_start(self) -> datetime:
        return self.now - timedelta(days=SALES_DAYS + 7)

    @property
    def sales_end(self) -> datetime:
        return self.sales_start + timedelta(days=SALES_DAYS)

    @property
    def configured_at(self) -> datetime:
        return self.sales_start - timedelta(days=3)

    def soon_after(self, rng: random.Random, at: datetime, days: int) -> datetime:
        """A follow-up within `days` after `at`, squeezed in before `now` (never before `at`)."""
        end = max(at, min(at + timedelta(days=days), self.now - timedelta(minutes=1)))
        return between(rng, min(at + timedelta(minutes=1), end), end)

    def local_date(self, at: datetime) -> str:
        """The conference-timezone day of a moment, `YYYY-MM-DD`."""
        return at.astimezone(TIMEZONE).date().isoformat()

    @property
    def conference_start(self) -> date:
        """The first conference day: two days before `now`'s, so check-ins lie in the past."""
        return self.now.astimezone(TIMEZONE).date() - timedelta(days=2)

    def check_in_moment(self, rng: random.Random) -> datetime:
        """A morning of the conference's first two days, both over by `now`."""
        day = self.conference_start + timedelta(days=rng.randrange(2))
        local = datetime.combine(day, time(8), TIMEZONE) + timedelta(seconds=rng.randrange(10_800))
        return local.astimezone(UTC)


@dataclass(frozen=True)
class Product:
    """A ticket type or add-on as the checkout sells it."""

    product_id: str
    kind: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class Voucher:
    """A voucher code; `discount` is what it takes off one line."""

    code: str
    voucher_type: str
    value: Decimal
    valid_until: datetime | None = None
    is_active: bool = True

    def offered_at(self, at: datetime) -> bool:
        """Whether the checkout accepts the code at `at`."""
        return self.is_active and (self.valid_until is None or at < self.valid_until)

    def discount(self, product: Product, gross: Decimal) -> Decimal:
        if self.voucher_type == "comp":
            return gross
        if self.voucher_type == "percentage":
            return percent_of(gross, self.value)
        return min(self.value, gross) if product.kind == "ticket" else ZERO


@dataclass(frozen=True)
class Condition:
    """An automatic discount condition; `discount` is what it takes off one line."""

    condition_id: str
    condition_type: str
    name: str
    discount_type: str
    value: Decimal
    products: tuple[str, ...]
    is_active: bool = True

    def discount(self, gross: Decimal) -> Decimal:
        if self.discount_type == "percentage":
            return percent_of(gross, self.value)
        return min(self.value, gross)


INDIVIDUAL = Product("individual", "ticket", "Individual", Decimal("450.00"))
CORPORATE = Product("corporate", "ticket", "Corporate", Decimal("750.00"))
STUDENT = Product("student", "ticket", "Student", Decimal("125.00"))
SPEAKER = Product("speaker", "ticket", "Speaker", ZERO)
ONLINE = Product("online", "ticket", "Online", Decimal("50.00"))
TSHIRT = Product("tshirt", "addon", "T-shirt", Decimal("25.00"))
TUTORIAL = Product("tutorial", "addon", "Tutorial", Decimal("150.00"))
DINNER = Product("dinner", "addon", "Conference dinner", Decimal("95.00"))
# Defined but switched off: the inventory report shows an inactive ticket type.
PATRON = Product("patron", "ticket", "Patron", Decimal("1000.00"))
PRODUCTS = (INDIVIDUAL, CORPORATE, STUDENT, SPEAKER, ONLINE, PATRON, TSHIRT, TUTORIAL, DINNER)

EARLY_BIRD = Condition("early-bird", "time_or_stock_limit", "Early bird (first 10 days)",
                       "percentage", Decimal(10), ("individual",))
GROUP = Condition("group-5", "group_member", "Teams of five or more", "percentage", Decimal(10),
                  ("corporate",))
SPEAKER_DINNER = Condition("speaker-dinner", "speaker", "Speakers dine free", "percentage",
                           Decimal(100), ("dinner",))
TUTORIAL_SHIRT = Condition("tutorial-shirt", "included_product", "T-shirt included with a tutorial",
                           "fixed_amount", Decimal("25.00"), ("tshirt",))
STUDENT_TUTORIAL = Condition("student-tutorial", "category_discount",
                             "Half-price student tutorials", "percentage", Decimal(50),
                             ("tutorial",), is_active=False)
CONDITIONS = (EARLY_BIRD, GROUP, SPEAKER_DINNER, TUTORIAL_SHIRT, STUDENT_TUTORIAL)


def vouchers(timeline: Timeline) -> tuple[Voucher, ...]:
    """The voucher codes; the early-bird one runs for the first two weeks of sales."""
    early_until = timeline.sales_start + timedelta(days=14)
    return (Voucher("EARLYBIRD15", "percentage", Decimal(15), early_until),
            Voucher("COMMUNITY20", "percentage", Decimal(20)),
            Voucher("SPONSOR100", "fixed_amount", Decimal("100.00")),
            Voucher("VOLUNTEER", "comp", ZERO),
            Voucher("LEGACY50", "fixed_amount", Decimal("50.00"), is_active=False))
