"""Books for projection and report tests: record events, run every projector, read reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.application import Ledger
from projections.catalogue import projection_classes, reports
from projections.reports import Body, Context
from projections.runner import Projector
from projections.store import SqlReader, TableStore, open_store


class Books:
    """A ledger with all read models projected, and reports read from the live tables."""

    def __init__(self, ledger: Ledger, store: TableStore, now: datetime):
        self.ledger = ledger
        self.store = store
        self.now = now
        self.projector = Projector(ledger, store, [c() for c in projection_classes().values()])
        self.projector.open()

    def record(self, *events: dict[str, Any], slug: str = "pycon") -> None:
        """Record events (one batch) and bring every read model up to date."""
        self.ledger.record(slug, list(events), now=self.now)
        self.projector.catch_up()

    def context(self, slug: str = "pycon", **params: str) -> Context:
        conference = self.ledger.conference(slug)
        assert conference is not None
        return Context(slug, conference.currency, conference.timezone, self.now, params)

    def report(self, name: str, slug: str = "pycon", **params: str) -> Body:
        return reports()[name].build(SqlReader(self.store.database), self.context(slug, **params))


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def books(ledger: Ledger, now: datetime) -> Iterator[Books]:
    yield Books(ledger, open_store(ledger.recorder), now)
