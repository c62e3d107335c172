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

    def _create_table(self, c: SQLiteCursor) -> None:
        """Create the tables; give a chain made before the timeline its columns (SQLite has no
        ADD COLUMN IF NOT EXISTS), then index it."""
        super()._create_table(c)
        c.execute(f"PRAGMA table_info({chain.CHAIN_TABLE})")
        present = {row[1] for row in c.fetchall()}
        for column in chain.TIMELINE_COLUMNS:
            if column not in present:
                c.execute(f"ALTER TABLE {chain.CHAIN_TABLE} ADD COLUMN {column} INTEGER")
        for statement in chain.index_statements():
            c.execute(statement)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events)
        assert ids is not None
        conference = kwargs.get("conference")
        if conference is not None:
            c.execute(chain.last_hash_query("?"), (conference,))
            prev = chain.last_hash(c.fetchone())
            chain.write_side_rows(c, "?", ids, stored_events, kwargs, prev)
        return ids

    def read_books(self, keys: list[tuple[str, str]], ids: list[UUID],
                   after: dict[UUID, int]) -> Books:
        """The head, the keys already recorded, and the stored events of `ids` after the versions
        in `after`: one read."""
        with self.datastore.transaction(commit=False) as c:
            head = self._max_notification_id(c) or 0
            return Books(head, self._find_keys(c, keys), self._select_events_of(c, ids, after))

    def events_after(self, count: int) -> str:
        """The stored events of `count` (aggregate id, version) pairs after those versions: a
        join on the primary key from the pairs."""
        pairs = ", ".join("(?, ?)" for _ in range(count))
        return (f"WITH wanted(id, after) AS (VALUES {pairs}) SELECT e.* FROM wanted "
                f"JOIN {self.events_table_name} e ON e.originator_id = wanted.id "
                "AND e.originator_version > wanted.after "
                "ORDER BY e.originator_id, e.originator_version")

    def _select_events_of(self, c: SQLiteCursor, ids: list[UUID],
                          after: dict[UUID, int]) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        for start in range(0, len(ids), _FIND_CHUNK):
            chunk = ids[start:start + _FIND_CHUNK]
            c.execute(self.events_after(len(chunk)),
                      [part for i in chunk for part in (i.hex, after.get(i, 0))])
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
