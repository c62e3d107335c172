"""Decoded histories of recently used aggregates, so a batch decodes only the events that are new.

Checking a batch rebuilds every aggregate it refers to. Without this, each single-event request
would read and decode the conference's whole history (its catalogue: tens of events) and, for an
order, the order's history again. Here the decoded events of the most recently used aggregates are
kept; the books are then read only after each kept version, and what comes back is appended.

Only events read back from the database are kept, never a batch's unsaved ones, so a refused or
conflicting batch leaves nothing behind. Domain events are immutable and every aggregate builds its
own containers when created, so one decoded event can rebuild any number of aggregates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.base import LedgerAggregate

Event = LedgerAggregate.Event
DEFAULT_SIZE = 4096


class HistoryLost(Exception):
    """Raised when a kept history was dropped (or replaced) between reading the versions and
    rebuilding: the batch is checked again, reading the books afresh."""


class Histories:
    """A bounded, thread-safe, least-recently-used map of aggregate id → decoded events."""

    def __init__(self, decode: Callable[[StoredEvent], Event], size: int = DEFAULT_SIZE):
        self._decode = decode
        self._size = size
        self._events: OrderedDict[UUID, tuple[Event, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def versions(self, ids: Iterable[UUID]) -> dict[UUID, int]:
        """The last kept version of each of `ids` that is kept (read the books after it)."""
        with self._lock:
            return {i: self._events[i][-1].originator_version  # type: ignore[misc]
                    for i in ids if i in self._events}

    def rebuild(self, ids: Iterable[UUID], newer: list[StoredEvent],
                after: dict[UUID, int]) -> dict[UUID, LedgerAggregate | None]:
        """The aggregates `ids` (None for those not created) from the kept events plus `newer`,
        the stored events after the versions in `after`, sorted by aggregate then version."""
        fresh: dict[UUID, list[Event]] = {}
        for stored in newer:
            fresh.setdefault(cast(UUID, stored.originator_id), []).append(self._decode(stored))
        loaded: dict[UUID, LedgerAggregate | None] = {}
        with self._lock:
            for aggregate_id in ids:
                history = self._kept(aggregate_id, after) + tuple(fresh.get(aggregate_id, ()))
                if history:
                    self._keep(aggregate_id, history)
                loaded[aggregate_id] = _replay(history)
        return loaded

    def _kept(self, aggregate_id: UUID, after: dict[UUID, int]) -> tuple[Event, ...]:
        """The kept events up to the version the books were read after (another thread may have
        kept newer ones since)."""
        if aggregate_id not in after:
            return ()
        version = after[aggregate_id]
        kept = tuple(e for e in self._events.get(aggregate_id, ())
                     if e.originator_version <= version)  # type: ignore[operator]
        if len(kept) != version:
            raise HistoryLost(aggregate_id)
        return kept

    def _keep(self, aggregate_id: UUID, history: tuple[Event, ...]) -> None:
        self._events[aggregate_id] = history
        self._events.move_to_end(aggregate_id)
        while len(self._events) > self._size:
            self._events.popitem(last=False)


def _replay(history: tuple[Event, ...]) -> LedgerAggregate | None:
    aggregate: LedgerAggregate | None = None
    for event in history:
        aggregate = cast(LedgerAggregate, event.mutate(aggregate))
    return aggregate
