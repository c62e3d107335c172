"""Group commit: batches checked at the same time are saved in one database transaction.

Every save pays for a commit (an fsync, and on PostgreSQL the event table's lock). While one
thread of the process is saving, batches that finish their checks queue up (a thread may bring
several at once: `submit_all`); the next thread to save takes the whole queue and saves it in one
`save()`. Nobody waits on purpose, so a lone batch is saved at once, and under load the cost of a
commit is shared. Each batch stays all or nothing: if the combined save meets a conflict, every
batch of the group is saved alone, and the one that really conflicted is told so and checked again
by the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.base import LedgerAggregate

Key = tuple[str, str, str, int]  # source, source id, content digest, offset of its last event


@dataclass
class Pending:
    """One batch's events waiting to be saved, and, once saved, their positions."""

    slug: str
    events: list[LedgerAggregate.Event]
    keys: list[Key]
    positions: list[int] = field(default_factory=list)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, positions: list[int] | None = None,
               error: BaseException | None = None) -> None:
        self.positions, self.error = positions or [], error
        self.done.set()


class GroupCommit:
    """Saves pending batches, several at a time when they arrive together."""

    def __init__(self, save: Callable[..., Sequence[Any]]):
        self._save = save
        self._changed = threading.Condition()
        self._queue: list[Pending] = []
        self._leading = False

    def submit_all(self, pendings: list[Pending]) -> None:
        """Save `pendings`; each learns its events' positions, or what its save raised."""
        if not pendings:
            return
        with self._changed:
            self._queue.extend(pendings)
            while self._leading and not all(p.done.is_set() for p in pendings):
                self._changed.wait()
            lead = not all(p.done.is_set() for p in pendings)
            if lead:
                self._leading = True
                group, self._queue = self._queue, []
        if lead:
            try:
                for slug in dict.fromkeys(p.slug for p in group):
                    self._commit([p for p in group if p.slug == slug])
            finally:
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()

    def _commit(self, group: list[Pending]) -> None:
        """Save a group of one conference together; alone, one by one, if that conflicts."""
        try:
            self._save_together(group)
        except IntegrityError as conflict:
            if len(group) == 1:
                group[0].finish(error=conflict)
                return
            for pending in group:
                self._commit([pending])
        except Exception as error:  # the database failed: every batch of the group learns it
            for pending in group:
                pending.finish(error=error)

    def _save_together(self, group: list[Pending]) -> None:
        events: list[LedgerAggregate.Event] = []
        keys: list[Key] = []
        for pending in group:
            keys += [(s, i, d, len(events) + offset) for s, i, d, offset in pending.keys]
            events += pending.events
        recordings = self._save(*events, conference=group[0].slug, intake_keys=keys)
        positions = [recording.notification.id for recording in recordings]
        start = 0
        for pending in group:
            pending.finish(positions[start:start + len(pending.events)])
            start += len(pending.events)
