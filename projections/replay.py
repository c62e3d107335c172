"""As-of and known-at replays: the same projections, fed from the event log into memory.

`as_of` keeps events whose *effective* time is at or before it (the books as they stood then);
`known_at` keeps events *recorded* at or before it (what the ledger knew then). Together they give
exactly what a report said at that moment. The result is an in-memory `Rows`, read by the same
report queries as the live tables, so a replay and the live read model cannot disagree.

A replay does not read the whole log. Each projection starts from its latest checkpoint that fits
the cut-offs (see `checkpoints`), and the conference's timeline (the effective and recorded times
kept with its hash chain) names the later events that pass them, so only those are read and
decoded. Each decoded event is checked against the cut-offs again: the timeline only narrows the
search. The garbage collector is paused meanwhile (see `collector`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from eventsourcing.application import Application

from ledger.base import LedgerAggregate
from projections.audit import EventLog
from projections.checkpoints import CheckpointStore, restore
from projections.collector import collector_paused
from projections.eventlog.chain import micros
from projections.projection import Projection
from projections.tables import Rows


@dataclass(frozen=True)
class Replay:
    """Rows rebuilt from history, and the last position they reflect: the conference's last
    event that passes the cut-offs, whatever its type."""

    rows: Rows
    position: int


@collector_paused()
def replay(ledger: Application, projections: Sequence[Projection], conference: str, *,
           as_of: datetime | None = None, known_at: datetime | None = None,
           stop: int | None = None, checkpoints: bool = True) -> Replay:
    """Apply every event of `conference` that passes the cut-offs, in recorded order, starting
    each projection from a checkpoint when one fits (none with `checkpoints=False`)."""
    rows = Rows()
    log = EventLog(ledger.recorder)
    effective = None if as_of is None else micros(as_of)
    recorded = None if known_at is None else micros(known_at)
    store = CheckpointStore(log.database)
    starts = [restore(store, p, conference, rows, stop=stop, effective=effective,
                      recorded=recorded) if checkpoints else 0 for p in projections]
    position = max(starts, default=0)
    for notification in log.timeline(conference, min(starts, default=0), stop=stop,
                                     effective=effective, recorded=recorded):
        event = cast(LedgerAggregate.Event, ledger.mapper.to_domain_event(notification))
        if known_at is not None and event.timestamp > known_at:
            continue
        if as_of is not None and event.effective_at > as_of:
            continue
        for projection, start in zip(projections, starts, strict=True):
            if notification.id > start:
                projection.apply(event, rows)
        position = max(position, notification.id)
    return Replay(rows, position)
