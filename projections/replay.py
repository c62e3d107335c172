"""As-of and known-at replays: the same projections, fed from the event log into memory.

`as_of` keeps events whose *effective* time is at or before it (the books as they stood then);
`known_at` keeps events *recorded* at or before it (what the ledger knew then). Together they give
exactly what a report said at that moment. The result is an in-memory `Rows`, read by the same
report queries as the live tables, so a replay and the live read model cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from eventsourcing.application import Application

from ledger.base import LedgerAggregate
from projections.projection import Projection
from projections.tables import Rows

PAGE = 5000


@dataclass(frozen=True)
class Replay:
    """Rows rebuilt from history, and the last position they reflect."""

    rows: Rows
    position: int


def replay(ledger: Application, projections: Sequence[Projection], conference: str, *,
           as_of: datetime | None = None, known_at: datetime | None = None,
           stop: int | None = None) -> Replay:
    """Apply every event of `conference` that passes the cut-offs, in recorded order."""
    rows = Rows()
    topics = frozenset().union(*(p.topics for p in projections))
    position = 0
    start = 0
    while True:
        page = ledger.recorder.select_notifications(start, PAGE, stop=stop,
                                                    inclusive_of_start=False)
        for notification in page:
            if notification.topic not in topics:
                continue
            event = cast(LedgerAggregate.Event, ledger.mapper.to_domain_event(notification))
            if getattr(event, "conference", None) != conference:
                continue
            if known_at is not None and event.timestamp > known_at:
                continue
            if as_of is not None and event.effective_at > as_of:  # type: ignore[attr-defined]
                continue
            for projection in projections:
                projection.apply(event, rows)  # type: ignore[arg-type]
            position = notification.id
        if len(page) < PAGE:
            return Replay(rows, position)
        start = page[-1].id
