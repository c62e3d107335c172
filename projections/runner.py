"""Projectors: follow the event log and keep read models up to date, exactly once.

A `Projector` runs a group of projections over one read of the log: it reads a page of stored
events after the lowest position of the group, decodes each event once, lets every projection that
has not seen it apply it to its in-memory rows, and then writes all changed rows and every
projection's new position in ONE database transaction. A crash before the commit loses nothing
(the page is read again); a crash after it repeats nothing (positions moved with the rows).

SQLite has no subscriptions, so projectors poll; `wake()` (called after each save in the same
process) cuts the wait. The library's tracking table rejects an old or repeated position, so two
processes running the same projection cannot both apply a page: the loser reloads and goes on.

After a flush, the projector checkpoints its read models' state for as-of replays (see
`checkpoints`); a read model that starts from nothing has its old checkpoints dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification

from projections.audit import EventLog
from projections.checkpoints import Checkpointer, CheckpointStore
from projections.collector import collector_paused
from projections.projection import Projection
from projections.store import TableStore
from projections.tables import Rows

log = logging.getLogger("confledger.projector")
# Events per page (CONFLEDGER_PROJECTOR_PAGE). A bigger page folds more updates of the same rows
# (totals, days, customers) into one write: on PostgreSQL 5,000 caught up about 20 % faster than
# 1,000 and was neutral on SQLite; one page's write still takes a fraction of a second.
PAGE = 5000
STATISTICS_EVERY = 50_000  # events applied before the read models' statistics are refreshed


@dataclass
class Lane:
    """One projection inside a projector: its rows and the position they reflect."""

    projection: Projection
    rows: Rows = field(default_factory=Rows)
    position: int = 0


class Projector:
    """Runs `projections` from the ledger's event log into their read-model tables."""

    def __init__(self, ledger: Application, store: TableStore, projections: Sequence[Projection],
                 checkpoint_every: int | None = None, page: int = PAGE):
        self.ledger = ledger
        self.page = page
        self.store = store
        self.lanes = [Lane(p) for p in projections]
        self.checkpoints = Checkpointer(CheckpointStore(store.database), EventLog(ledger.recorder),
                                        checkpoint_every)
        self.last_error: str | None = None
        self._since_statistics = 0
        self.statistics_every = STATISTICS_EVERY
        self._topics = frozenset().union(*(p.topics for p in projections))

    def open(self) -> None:
        """Create tables if needed and load rows and positions from storage."""
        self.checkpoints.store.create()
        self.checkpoints.reset()
        for lane in self.lanes:
            self.store.create(lane.projection.all_tables)
            self.store.load(lane.projection.all_tables, lane.rows)
            lane.position = self.store.position(lane.projection.name)
            if lane.position == 0:  # rebuilt or new: checkpoints of older code would mislead
                self.checkpoints.store.drop(lane.projection.name)

    @property
    def position(self) -> int:
        return min((lane.position for lane in self.lanes), default=0)

    def step(self, limit: int | None = None) -> int:
        """Apply the next page of events; return how many events were read."""
        page = self.ledger.recorder.select_notifications(self.position, limit or self.page,
                                                         inclusive_of_start=False)
        if not page:  # an idle poll (every 50 ms in `serve`) leaves the collector alone
            return 0
        with collector_paused():  # a page's objects are not cyclic garbage
            return self._apply(page)

    def _apply(self, page: Sequence[Notification]) -> int:
        for notification in page:
            if notification.topic not in self._topics:
                continue
            event = self.ledger.mapper.to_domain_event(notification)
            self.checkpoints.count(event.conference)  # type: ignore[attr-defined]
            for lane in self.lanes:
                if notification.id > lane.position:
                    lane.projection.apply(event, lane.rows)  # type: ignore[arg-type]
        last = page[-1].id
        work = [(lane.projection.name, lane.projection.all_tables, lane.rows, last)
                for lane in self.lanes if last > lane.position]
        for lane in self.lanes:
            self.checkpoints.note(lane.projection, lane.rows)
        try:
            self.store.flush(work)
        except IntegrityError:
            log.warning("another process moved %s first; reloading", self.names)
            self.open()
            return len(page)
        for lane in self.lanes:
            lane.position = max(lane.position, last)
        self._since_statistics += len(page)
        self.checkpoints.write([(lane.projection, lane.rows) for lane in self.lanes
                                if lane.position == last], last)
        return len(page)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply events until the log's head; return how many were read."""
        total = 0
        while read := self.step():
            total += read
            if progress is not None:
                progress(self.position)
        self.refresh_statistics()
        return total

    def refresh_statistics(self) -> None:
        """Have the database re-read its read-model tables' statistics once enough rows changed.

        PostgreSQL plans report queries from table statistics, which autovacuum refreshes only
        eventually (and not at all where it is off): right after a rebuild or a migration's
        catch-up, stale ones made the orders drill-down 5x slower. SQLite plans from indexes."""
        if self._since_statistics < self.statistics_every:
            return
        self.store.analyze([t for lane in self.lanes for t in lane.projection.all_tables])
        self._since_statistics = 0

    @property
    def names(self) -> list[str]:
        return [lane.projection.name for lane in self.lanes]


class ProjectorThread:
    """Keeps a projector running in a daemon thread, retrying after errors with back-off."""

    def __init__(self, projector: Projector, poll_interval: float = 0.05):
        self.projector = projector
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"projector-{'-'.join(projector.names)}")
        self.caught_up_at: datetime | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wake(self, _position: int | None = None) -> None:
        self._wake.set()

    def _run(self) -> None:
        backoff = self.poll_interval
        opened = False
        while not self._stop.is_set():
            try:
                if not opened:
                    self.projector.open()
                    opened = True
                if self.projector.step() == 0:
                    self.projector.refresh_statistics()
                    self.caught_up_at = datetime.now(UTC)
                    self._wake.wait(self.poll_interval)
                    self._wake.clear()
                self.projector.last_error = None
                backoff = self.poll_interval
            except Exception as error:  # supervised: record, back off, try again
                self.projector.last_error = f"{type(error).__name__}: {error}"
                log.exception("projector %s failed; retrying", self.projector.names)
                opened = False
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)


def wait_for(read_position: Callable[[], int], position: int, timeout: float,
             interval: float = 0.01) -> bool:
    """Poll until `read_position()` reaches `position`; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while read_position() < position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
