"""The event log on PostgreSQL: the library's recorder plus idempotency keys and the hash chain.

Side rows are written after the insert's ids are known, still under the library's table lock, so
chain links follow commit order exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ledger.application import Books
from projections.eventlog import chain


class LedgerRecorder(PostgresApplicationRecorder):
    """Stores events; writes keys and chain links in the same transaction."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        timeline = [f"ALTER TABLE {chain.CHAIN_TABLE} ADD COLUMN IF NOT EXISTS {column} BIGINT"
                    for column in chain.TIMELINE_COLUMNS]  # a chain made before the timeline
        statements = chain.create_statements("BIGINT") + timeline + chain.index_statements()
        self.sql_create_statements.extend(SQL(s).format()  # type: ignore[arg-type]
                                          for s in statements)

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow],
                                       stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        chain.write_side_rows(curs, "%s", ids, stored_events, kwargs)
        return ids

    def read_books(self, keys: list[tuple[str, str]], ids: list[UUID],
                   after: dict[UUID, int]) -> Books:
        """The head, the keys already recorded, and the stored events of `ids` after the versions
        in `after`: three statements sent together in one round trip (a pipeline). Each sees the
        books as committed when it runs, as it would inside a READ COMMITTED transaction; they run
        in this order, which the ledger's check for a moved head relies on."""
        with self.datastore.get_connection() as conn, conn.pipeline():
            head, found, events = conn.cursor(), conn.cursor(), conn.cursor()
            head.execute(self.max_notification_id_statement)
            self._find_keys(found, keys)
            self._select_events_of(events, ids, after)
            row = head.fetchone()
            return Books((row["max"] if row else None) or 0, self._known(found, keys),
                         self._stored(events, ids))

    def _select_events_of(self, curs: Cursor[DictRow], ids: list[UUID],
                          after: dict[UUID, int]) -> None:
        if ids:
            curs.execute(self.events_after(), (ids, [after.get(i, 0) for i in ids]))

    def events_after(self) -> Composed:
        """The stored events of aggregates (an array of ids) after versions (an array). A lateral
        lookup per aggregate, fenced by OFFSET 0: without table statistics (autovacuum off, or
        a fresh bulk load) a plain join was planned as a hash join over a sequential scan of the
        whole event log, once per batch."""
        return SQL("SELECT e.* FROM unnest(%s::uuid[], %s::int[]) AS wanted(id, after) "
                   "CROSS JOIN LATERAL (SELECT * FROM {schema}.{table} "
                   "WHERE originator_id = wanted.id AND originator_version > wanted.after "
                   "OFFSET 0) e ORDER BY e.originator_id, e.originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    @staticmethod
    def _stored(curs: Cursor[DictRow], ids: list[UUID]) -> list[StoredEvent]:
        if not ids:
            return []
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=bytes(row["state"]))
                for row in curs.fetchall()]

    @staticmethod
    def _find_keys(curs: Cursor[DictRow], keys: list[tuple[str, str]]) -> None:
        if keys:
            curs.execute(
                f"SELECT source, source_id, digest, position FROM {chain.KEYS_TABLE} "
                "WHERE (source, source_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                ([k[0] for k in keys], [k[1] for k in keys]))

    @staticmethod
    def _known(curs: Cursor[DictRow], keys: list[tuple[str, str]]) -> chain.KnownKeys:
        if not keys:
            return {}
        return {(r["source"], r["source_id"]): (r["digest"], r["position"])
                for r in curs.fetchall()}


class Factory(PostgresFactory):
    application_recorder_class = LedgerRecorder
