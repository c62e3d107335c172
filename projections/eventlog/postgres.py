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

    def select_events_of(self, ids: list[UUID]) -> list[StoredEvent]:
        """Every stored event of the aggregates `ids`, by aggregate then version."""
        if not ids:
            return []
        statement = SQL("SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
                        "ORDER BY originator_id, originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (ids,))
            return [StoredEvent(originator_id=row["originator_id"],
                                originator_version=row["originator_version"],
                                topic=row["topic"], state=bytes(row["state"]))
                    for row in curs.fetchall()]

    def find_keys(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, int]]:
        if not keys:
            return {}
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT source, source_id, digest, position FROM {chain.KEYS_TABLE} "
                "WHERE (source, source_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                ([k[0] for k in keys], [k[1] for k in keys]))
            return {(r["source"], r["source_id"]): (r["digest"], r["position"])
                    for r in curs.fetchall()}



class Factory(PostgresFactory):
    application_recorder_class = LedgerRecorder
