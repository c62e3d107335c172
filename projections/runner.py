"""Projectors: follow the event log and keep read models up to date, exactly once.

A `Projector` runs a group of projections over one read of the log: it reads a page of stored
events after the lowest position of the group, decodes each event once, lets every projection that
has not seen it apply it to its in-memory rows, and then writes all changed rows and every
projection's new position in ONE database transaction. A crash before the commit loses nothing
(the page is read again); a crash after it repeats nothing (positions moved with the rows). While
it catches up, a writer thread commits each page as the next one is applied in memory.

SQLite has no subscriptions, so projectors poll; `wake()` (called after each save in the same
process) cuts the wait. The library's tracking table rejects an old or repeated position, so two
processes running the same projection cannot both apply a page: the loser reloads and goes on.

Whenever a conference has gained enough events, a page's transaction also holds checkpoints of its
read models' state for as-of replays (see `checkpoints`); a read model that starts from nothing
has its old checkpoints dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification

from projections.audit import EventLog
from projections.checkpoints import Checkpointer, CheckpointStore, Record
from projections.collector import collector_paused
from projections.projection import Projection
from projections.store import Batch, TableStore
from projections.tables import Rows

log = logging.getLogger("confledger.projector")
T = TypeVar("T")
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


@dataclass(frozen=True)
class PageWrite:
    """What one page changed, taken from the rows of the lanes it moves: written in one
    transaction, after which those lanes stand at `last`."""

    lanes: list[Lane]
    last: int
    events: int
    rows: Batch
    checkpoints: list[Record]


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
            lane.position = self.store.load(lane.projection.all_tables, lane.rows,
                                            lane.projection.name)
            if lane.position == 0:  # rebuilt or new: checkpoints of older code would mislead
                self.checkpoints.store.drop(lane.projection.name)

    @property
    def position(self) -> int:
        return min((lane.position for lane in self.lanes), default=0)

    def step(self, limit: int | None = None) -> int:
        """Apply and write the next page of events; return how many events were read."""
        page = self._read(self.position, limit)
        if page:  # an idle poll (every 50 ms in `serve`) leaves the collector alone
            self._commit(self._project(page))
        return len(page)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply events until the log's head; return how many were read.

        On PostgreSQL a writer thread commits each page while the next one is read and applied,
        so that the server's work on a page overlaps ours on the next. Positions still move only
        once their page is committed, and a page is written only once the one before it is.
        """
        total = 0
        with self._writer() as writer:
            pending: tuple[PageWrite, Future[None]] | None = None
            while True:
                page = self._read(pending[0].last if pending else self.position)
                write = self._project(page) if page else None
                if pending is not None and not self._commit(*pending):
                    pending = None  # reloaded: `write` was taken from the rows replaced
                    continue
                if write is None:
                    break
                pending = (write, writer.submit(self._write, write))
                total += len(page)
                if progress is not None:
                    progress(self.position)
        self.refresh_statistics()
        return total

    def _writer(self) -> AbstractContextManager[Executor]:
        """A writer thread on PostgreSQL. SQLite works inside this process and hands the GIL to
        and fro on every row: there a writer thread cost 1 s more CPU per 100k events and saved
        no time, so each page is written at once."""
        if self.store.database.is_postgres:
            return ThreadPoolExecutor(1, thread_name_prefix="projector-writer")
        return nullcontext(_AtOnce())

    def _read(self, after: int, limit: int | None = None) -> Sequence[Notification]:
        return self.ledger.recorder.select_notifications(after, limit or self.page,
                                                         inclusive_of_start=False)

    def _project(self, page: Sequence[Notification]) -> PageWrite:
        """Apply `page` to the rows of the lanes behind its end and take what they changed."""
        with collector_paused():  # a page's objects are not cyclic garbage
            for notification in page:
                if notification.topic not in self._topics:
                    continue
                event = self.ledger.mapper.to_domain_event(notification)
                self.checkpoints.count(event.conference)  # type: ignore[attr-defined]
                for lane in self.lanes:
                    if notification.id > lane.position:
                        lane.projection.apply(event, lane.rows)  # type: ignore[arg-type]
            last = page[-1].id
            behind = [lane for lane in self.lanes if last > lane.position]
            for lane in self.lanes:
                self.checkpoints.note(lane.projection, lane.rows)
            rows = self.store.take([(lane.projection.name, lane.projection.all_tables,
                                     lane.rows, last) for lane in behind])
            checkpoints = self.checkpoints.due([(lane.projection, lane.rows) for lane in behind],
                                               last)
        return PageWrite(behind, last, len(page), rows, checkpoints)

    def _write(self, write: PageWrite) -> None:
        """A page's rows, positions and checkpoints, in one transaction."""
        with self.store.database.transaction() as cursor:
            self.store.write(cursor, write.rows)
            self.checkpoints.store.insert(cursor, write.checkpoints)

    def _commit(self, write: PageWrite, written: Future[None] | None = None) -> bool:
        """Write a page (or wait for the writer thread's write of it), then move its lanes'
        positions; False when another process wrote first and the rows were reloaded."""
        try:
            if written is None:
                self._write(write)
            else:
                written.result()
        except IntegrityError:
            log.warning("another process moved %s first; reloading", self.names)
            self.open()
            return False
        for lane in write.lanes:
            lane.position = max(lane.position, write.last)
        self._since_statistics += write.events
        return True

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


class _AtOnce(Executor):
    """Runs each call at once, in the caller's thread, its outcome kept in the future."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


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
