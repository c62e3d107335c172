"""Projectors inside a process: threads beside the API in `serve`, alone in `confledger project`.

Status for `/api/v1/status` comes from the tracking table (so it is true for projectors in other
processes too): each read model's position, its lag in events and in seconds (the age of the
oldest event it has not applied yet), and the last error of the projectors this process runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from ledger.application import Ledger
from ledger.base import LedgerAggregate
from projections.catalogue import projection_classes
from projections.checkpoints import CheckpointStore
from projections.runner import PAGE, Projector, ProjectorThread
from projections.store import TableStore, open_store


class UnknownReadModel(ValueError):
    """Raised when a command names a read model that does not exist."""


def projections_named(names: Iterable[str] = ()) -> list[Any]:
    """Instances of the named read models (all of them when `names` is empty)."""
    classes = projection_classes()
    chosen = list(names) or list(classes)
    unknown = [name for name in chosen if name not in classes]
    if unknown:
        raise UnknownReadModel(f"unknown read model(s): {', '.join(unknown)}; "
                               f"choose from {', '.join(classes)}")
    return [classes[name]() for name in chosen]


def create_read_models(ledger: Ledger) -> None:
    """Create every read model's tables and the tracking table (the migrate step), so reports
    answer (empty) before any projector has run."""
    store = open_store(ledger.recorder)
    CheckpointStore(store.database).create()
    for projection in projections_named():
        store.create(projection.all_tables)


def rebuild_projector(ledger: Ledger, name: str) -> Projector:
    """Drop read model `name` (tables and position) and return a projector to replay it."""
    [projection] = projections_named([name])
    store = open_store(ledger.recorder)
    store.drop(projection.all_tables, projection.name)
    projector = Projector(ledger, store, [projection])
    projector.open()
    return projector


class ProjectorService:
    """Runs read models in a background thread and reports every read model's state."""

    def __init__(self, ledger: Ledger, names: Iterable[str] = (), *,
                 poll_interval: float = 0.05, page: int = PAGE):
        self.ledger = ledger
        self.store: TableStore = open_store(ledger.recorder)
        self.projector = Projector(ledger, self.store, projections_named(names), page=page)
        self.thread = ProjectorThread(self.projector, poll_interval)

    def start(self) -> None:
        """Run the projector thread (tables exist since `Services.build`'s migrate step)."""
        self.thread.start()

    def stop(self) -> None:
        self.thread.stop()

    def wake(self, position: int | None = None) -> None:
        self.thread.wake(position)

    def status(self) -> list[dict[str, Any]]:
        head = self.ledger.recorder.max_notification_id() or 0
        positions = self.store.positions()
        local = set(self.projector.names)
        # Read models usually stand at the same position: look each lag up once.
        lags = {p: self._lag_seconds(p, head) for p in {positions.get(n, 0)
                                                        for n in projection_classes()}}
        return [{"name": name, "position": positions.get(name, 0),
                 "lag_events": max(0, head - positions.get(name, 0)),
                 "lag_seconds": lags[positions.get(name, 0)],
                 "running_here": name in local,
                 "last_error": self.projector.last_error if name in local else None}
                for name in projection_classes()]

    def _lag_seconds(self, position: int, head: int) -> float:
        if position >= head:
            return 0.0
        oldest = self.ledger.recorder.select_notifications(position, 1, inclusive_of_start=False)
        if not oldest:
            return 0.0
        recorded = cast(LedgerAggregate.Event,
                        self.ledger.mapper.to_domain_event(oldest[0])).timestamp
        return round((datetime.now(UTC) - recorded).total_seconds(), 3)
