"""The base of every read model: tables it owns, and one small handler per domain event type.

Handlers are registered with `@handles(Order.Placed, ...)` and receive the event and the `Rows`
of the read model. Every projection also keeps its conferences' currency and timezone (from
`Conference.Configured`), so handlers can date events in the conference's timezone and turn
amounts into exact minor units.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ledger import money
from ledger.base import LedgerAggregate
from ledger.conference import Conference
from projections.tables import Rows, Table

Event = LedgerAggregate.Event
Handler = Callable[[Any, Any, Rows], None]



def handles(*event_classes: type[Event]) -> Callable[[Handler], Handler]:
    """Mark a projection method as the handler of `event_classes`."""
    def mark(method: Handler) -> Handler:
        method._handles = event_classes  # type: ignore[attr-defined]
        return method
    return mark


class Projection:
    """A read model: `name`, `tables`, and handlers for the events it cares about."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]] = ()
    handlers: ClassVar[dict[type, Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                for event_class in getattr(attribute, "_handles", ()):
                    cls.handlers[event_class] = attribute
        cls.settings = Table(f"{cls.name}_conference", "",
                             "currency timezone config:json")

    settings: ClassVar[Table]

    @property
    def all_tables(self) -> tuple[Table, ...]:
        return (self.settings, *self.tables)

    @property
    def topics(self) -> frozenset[str]:
        """The stored-event topics this projection reads."""
        return frozenset(f"{c.__module__}:{c.__qualname__}" for c in self.handlers)

    def apply(self, event: Event, rows: Rows) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(self, event, rows)

    # Conference settings, kept by every projection -------------------------------------------

    @handles(Conference.Configured, Conference.Reconfigured)
    def _configured(self, event: Conference.Configured, rows: Rows) -> None:
        config = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.data().items()}
        rows.upsert(self.settings, event.conference, currency=event.currency,
                    timezone=event.timezone, config=config)

    def conference(self, rows: Rows, slug: str) -> dict[str, Any]:
        row = rows.get(self.settings, slug)
        assert row is not None, f"{slug} was never configured"
        return row

    def day(self, rows: Rows, slug: str, moment: datetime) -> str:
        """The ISO day of `moment` in the conference's timezone."""
        zone = ZoneInfo(self.conference(rows, slug)["timezone"])
        return moment.astimezone(zone).date().isoformat()

    def minor(self, rows: Rows, slug: str, amount: Decimal | None) -> int:
        """`amount` in the conference currency's minor units (0 for None)."""
        if amount is None:
            return 0
        return money.to_minor(amount, self.conference(rows, slug)["currency"])
