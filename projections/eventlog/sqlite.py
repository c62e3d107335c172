"""The event log on SQLite: the library's recorder plus idempotency keys and the hash chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory

from ledger.application import Books
from projections.eventlog import chain

_FIND_CHUNK = 400  # SQLite allows 999 bound parameters per statement


class LedgerRecorder(SQLiteApplicationRecorder):
    """Stores events; writes keys and chain links in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + chain.create_statements("INTEGER")

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events)
        assert ids is not None
        chain.write_side_rows(c, "?", ids, stored_events, kwargs)
        return ids

    def read_books(self, keys: list[tuple[str, str]], ids: list[UUID]) -> Books:
        """The head, the keys already recorded, and the stored events of `ids`: one read."""
        with self.datastore.transaction(commit=False) as c:
            head = self._max_notification_id(c) or 0
            return Books(head, self._find_keys(c, keys), self._select_events_of(c, ids))

    def _select_events_of(self, c: SQLiteCursor, ids: list[UUID]) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        for start in range(0, len(ids), _FIND_CHUNK):
            chunk = [i.hex for i in ids[start:start + _FIND_CHUNK]]
            c.execute(f"SELECT * FROM {self.events_table_name} WHERE originator_id IN "
                      f"({', '.join('?' for _ in chunk)}) "
                      "ORDER BY originator_id, originator_version", chunk)
            found += [StoredEvent(originator_id=UUID(row["originator_id"]),
                                  originator_version=row["originator_version"],
                                  topic=row["topic"], state=row["state"])
                      for row in c.fetchall()]
        return found

    @staticmethod
    def _find_keys(c: SQLiteCursor, keys: list[tuple[str, str]]) -> chain.KnownKeys:
        found: chain.KnownKeys = {}
        for start in range(0, len(keys), _FIND_CHUNK):
            chunk = keys[start:start + _FIND_CHUNK]
            c.execute(chain.find_keys_query("?", len(chunk)),
                      [part for key in chunk for part in key])
            for row in c.fetchall():
                found[(row[0], row[1])] = (row[2], row[3])
        return found



class Factory(SQLiteFactory):
    application_recorder_class = LedgerRecorder
