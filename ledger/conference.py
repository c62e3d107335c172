"""The conference: its configuration, catalogue (products, vouchers, discount conditions,
expense categories) and closed periods. One aggregate per conference; every other event is
checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ledger.base import LedgerAggregate
from ledger.errors import CurrencyFixed, PeriodClosed, UnknownEntity


@dataclass(frozen=True)
class Settings:
    """The fields of `conference.configured`, shared by its first and later recordings."""

    name: str
    currency: str
    timezone: str
    start_date: str | None
    end_date: str | None
    revenue_budget: Decimal | None
    target_attendance: int | None
    grant_budget: Decimal | None
    card_fee_percent: Decimal
    card_fee_fixed: Decimal


class Conference(LedgerAggregate):
    """A configured conference and what it sells."""

    kind = "conference"
    if TYPE_CHECKING:  # state, assigned by the events' apply() methods
        slug: str
        name: str
        currency: str
        timezone: str
        products: dict[str, str]
        vouchers: set[str]
        conditions: set[str]
        categories: set[str]
        closed_through: list[str]

    class Configured(LedgerAggregate.Created, Settings):
        TYPE = "conference.configured"

        def apply(self, conference: Conference) -> None:
            conference.slug = self.conference
            conference.products = {}
            conference.vouchers = set()
            conference.conditions = set()
            conference.categories = set()
            conference.closed_through = []
            conference.configure(self)

    class Reconfigured(LedgerAggregate.Event, Settings):
        TYPE = "conference.configured"

        def apply(self, conference: Conference) -> None:
            conference.configure(self)

    class ProductDefined(LedgerAggregate.Event):
        kind: str
        product_id: str
        name: str
        price: Decimal
        total_quantity: int
        available_from: datetime | None
        available_until: datetime | None
        is_active: bool
        sort_order: int

        def type_name(self) -> str:
            return "ticket_type.defined" if self.kind == "ticket" else "addon.defined"

        def data(self) -> dict[str, Any]:
            return {k: v for k, v in super().data().items() if k != "kind"}

        def apply(self, conference: Conference) -> None:
            conference.products[self.product_id] = self.kind

    class VoucherDefined(LedgerAggregate.Event):
        TYPE = "voucher.defined"
        code: str
        voucher_type: str
        discount_value: Decimal
        max_uses: int
        valid_from: datetime | None
        valid_until: datetime | None
        is_active: bool

        def apply(self, conference: Conference) -> None:
            conference.vouchers.add(self.code)

    class DiscountConditionDefined(LedgerAggregate.Event):
        TYPE = "discount_condition.defined"
        condition_id: str
        condition_type: str
        name: str
        is_active: bool
        priority: int
        discount_type: str
        discount_value: Decimal
        limit: int | None
        applicable_products: list[str]

        def apply(self, conference: Conference) -> None:
            conference.conditions.add(self.condition_id)

    class ExpenseCategoryDefined(LedgerAggregate.Event):
        TYPE = "expense_category.defined"
        category_id: str
        name: str
        budget_amount: Decimal | None

        def apply(self, conference: Conference) -> None:
            conference.categories.add(self.category_id)

    class PeriodClosed(LedgerAggregate.Event):
        TYPE = "period.closed"
        through: str

        def apply(self, conference: Conference) -> None:
            conference.closed_through.append(self.through)

    def configure(self, settings: Settings) -> None:
        self.name = settings.name
        self.currency = settings.currency
        self.timezone = settings.timezone

    # Commands ---------------------------------------------------------------------------------

    def reconfigure(self, envelope: dict[str, Any], fields: dict[str, Any]) -> None:
        if fields["currency"] != self.currency:
            raise CurrencyFixed(
                f"the conference is kept in {self.currency}; its currency cannot change",
                field="data.currency",
            )
        self.trigger_event(self.Reconfigured, **envelope, **fields)

    def define(self, event_class: type[LedgerAggregate.Event], envelope: dict[str, Any],
               fields: dict[str, Any]) -> None:
        self.trigger_event(event_class, **envelope, **fields)

    def close_period(self, envelope: dict[str, Any], through: date) -> None:
        self.trigger_event(self.PeriodClosed, **envelope, through=through.isoformat())

    # Queries ----------------------------------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        """The day `moment` falls on in the conference's timezone."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def require_product(self, product_id: str, field: str) -> str:
        """The kind (`ticket`/`addon`) of a defined product."""
        if product_id not in self.products:
            raise UnknownEntity("product", product_id, field=field)
        return self.products[product_id]

    def require(self, collection: str, key: str, kind: str, field: str) -> None:
        """Raise unless `key` was defined in `collection` (vouchers, conditions, categories)."""
        if key not in getattr(self, collection):
            raise UnknownEntity(kind, key, field=field)

    def check_period_open(self, effective_at: datetime, correction: str | None) -> None:
        """Refuse an event dated in a closed period unless it is a correction naming that period."""
        if not self.closed_through:
            return
        day = self.local_date(effective_at).isoformat()
        covering = sorted(t for t in self.closed_through if day <= t)
        if covering and correction != covering[0]:
            raise PeriodClosed(
                f"{day} lies in the period closed through {covering[0]}; send it as a correction "
                f"naming that period (correctsperiod={covering[0]!r})",
                field="time",
            )
