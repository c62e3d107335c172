"""The unit of work of one incoming batch: the aggregates it touches, in the order it touched them.

Events are checked one by one against the books as they stand after the events before them in
the same batch, so a batch may place an order and pay it. Nothing is stored until the whole batch
passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import LedgerAggregate, entity_id
from ledger.conference import Conference
from ledger.errors import AlreadyExists, UnknownConference, UnknownEntity
from ledger.intake import Incoming

A = TypeVar("A", bound=LedgerAggregate)


class Batch:
    """Aggregates loaded or created while checking one batch, and the events each step raised."""

    def __init__(self, slug: str, load: Callable[[UUID], LedgerAggregate],
                 preloaded: dict[UUID, LedgerAggregate | None] | None = None):
        self.slug = slug
        self._load = load
        self._aggregates: dict[UUID, LedgerAggregate | None] = dict(preloaded or {})
        self._touched: dict[UUID, LedgerAggregate] = {}
        self.steps: list[list[LedgerAggregate.Event]] = []
        self.envelope: dict[str, Any] = {}
        self.incoming: Incoming | None = None

    # Lookup -----------------------------------------------------------------------------------

    def find(self, cls: type[A], key: str) -> A | None:
        """The aggregate of `cls` with business key `key`, or None."""
        aggregate_id = entity_id(self.slug, cls.kind, key)
        if aggregate_id not in self._aggregates:
            try:
                self._aggregates[aggregate_id] = self._load(aggregate_id)
            except AggregateNotFoundError:
                self._aggregates[aggregate_id] = None
        found = self._aggregates[aggregate_id]
        if not isinstance(found, cls):
            return None
        self._touched[aggregate_id] = found
        return found

    def get(self, cls: type[A], key: str, field: str) -> A:
        """The aggregate of `cls` with key `key`; raise UnknownEntity naming `field` if none."""
        found = self.find(cls, key)
        if found is None:
            raise UnknownEntity(cls.kind, key, field=field)
        return found

    @property
    def conference(self) -> Conference:
        """The batch's conference; raise UnknownConference if it was never configured."""
        found = self.find(Conference, self.slug)
        if found is None:
            raise UnknownConference(f"conference {self.slug!r} is not configured",
                                    field="conference")
        return found

    def create(self, cls: type[A], event_class: type[LedgerAggregate.Created], key: str,
               field: str, **fields: Any) -> A:
        """Create a new aggregate; raise AlreadyExists naming `field` if the key is taken."""
        if self.find(cls, key) is not None:
            raise AlreadyExists(cls.kind, key, field=field)
        aggregate = cls._create(event_class, id=entity_id(self.slug, cls.kind, key),
                                **self.envelope, **fields)
        self._aggregates[aggregate.id] = aggregate
        self._touched[aggregate.id] = aggregate
        return aggregate

    # Steps ------------------------------------------------------------------------------------

    def begin(self, incoming: Incoming, effective_at: datetime) -> None:
        """Start checking one incoming event."""
        self._touched.clear()
        self.incoming = incoming
        self.envelope = {"conference": self.slug, "source": incoming.envelope.source,
                         "source_id": incoming.envelope.id, "effective_at": effective_at}

    def end(self) -> list[LedgerAggregate.Event]:
        """Finish the step: collect the events it raised, in the order they were raised."""
        raised = [cast(LedgerAggregate.Event, e)
                  for a in self._touched.values() for e in a.collect_events()]
        raised.sort(key=lambda event: event.timestamp)
        self._touched.clear()
        self.steps.append(raised)
        return raised

    def discard(self) -> None:
        """Forget the events a failed step may have raised (guards run first, so normally none)."""
        for aggregate in self._touched.values():
            aggregate.collect_events()
        self._touched.clear()
        self.steps.append([])

    @property
    def events(self) -> list[LedgerAggregate.Event]:
        return [event for step in self.steps for event in step]
