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
from psycopg.sql import SQL, Identifier

from ledger.application import Books
from projections.eventlog import chain


class LedgerRecorder(PostgresApplicationRecorder):
    """Stores events; writes keys and chain links in the same transaction."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sql_create_statements.extend(SQL(s).format()  # type: ignore[arg-type]
                                          for s in chain.create_statements("BIGINT"))

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow],
                                       stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        chain.write_side_rows(curs, "%s", ids, stored_events, kwargs)
        return ids

    def read_books(self, keys: list[tuple[str, str]], ids: list[UUID]) -> Books:
        """The head, the keys already recorded, and the stored events of `ids`: one read."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.max_notification_id_statement)
            row = curs.fetchone()
            head = (row["max"] if row else None) or 0
            return Books(head, self._find_keys(curs, keys), self._select_events_of(curs, ids))

    def _select_events_of(self, curs: Cursor[DictRow], ids: list[UUID]) -> list[StoredEvent]:
        if not ids:
            return []
        statement = SQL("SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
                        "ORDER BY originator_id, originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        curs.execute(statement, (ids,))
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=bytes(row["state"]))
                for row in curs.fetchall()]

    @staticmethod
    def _find_keys(curs: Cursor[DictRow], keys: list[tuple[str, str]]) -> chain.KnownKeys:
        if not keys:
            return {}
        curs.execute(
            f"SELECT source, source_id, digest, position FROM {chain.KEYS_TABLE} "
            "WHERE (source, source_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([k[0] for k in keys], [k[1] for k in keys]))
        return {(r["source"], r["source_id"]): (r["digest"], r["position"])
                for r in curs.fetchall()}



class Factory(PostgresFactory):
    application_recorder_class = LedgerRecorder
