"""The event log on PostgreSQL: the library's recorder plus idempotency keys and the hash chain.

Side rows are written after the insert's ids are known, still under the library's table lock, so
chain links follow commit order exactly.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.utils import Environment, EnvType, retry
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ledger.application import Books
from projections.eventlog import chain


def _insert_from_arrays(table: str, columns: Sequence[str], types: str) -> str:
    """INSERT of whole columns sent as arrays in binary (`%b`): one statement for any number of
    rows, with nothing escaped or parsed as text."""
    arrays = ", ".join(f"%b::{kind}[]" for kind in types.split())
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"


def _columns_of(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


_INSERT_KEYS = _insert_from_arrays(chain.KEYS_TABLE, chain.KEY_COLUMNS,
                                   "text text text text bigint")
_INSERT_LINKS = _insert_from_arrays(chain.CHAIN_TABLE, chain.LINK_COLUMNS,
                                    "bigint text text text bigint bigint")


class LedgerRecorder(PostgresApplicationRecorder):
    """Stores events; writes keys and chain links in the same transaction."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        timeline = [f"ALTER TABLE {chain.CHAIN_TABLE} ADD COLUMN IF NOT EXISTS {column} BIGINT"
                    for column in chain.TIMELINE_COLUMNS]  # a chain made before the timeline
        statements = chain.create_statements("BIGINT") + timeline + chain.index_statements()
        self.sql_create_statements.extend(SQL(s).format()  # type: ignore[arg-type]
                                          for s in statements)
        # The library sends events as one array of a composite type, which psycopg writes as
        # text, escaping every byte of every state in Python: 16 % of the server's CPU in
        # batched ingest. Here they go as four arrays in binary.
        self._insert_columns = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (table lock, NOTIFY, the events returning their ids, in one
        pipelined transaction), with the events' columns sent as binary arrays and the
        conference's last chain link read under the same lock in the same round trip as the
        insert; then the side rows, sent with the commit. Two round trips, where reading the
        link after the insert took a third."""
        conference = kwargs.get("conference")
        failed: Exception | None = None
        ids: list[int] = []
        with self.datastore.get_connection() as conn:  # which turns psycopg's errors into ours
            with (conn.pipeline() as pipeline, conn.transaction(), conn.cursor() as curs,
                  conn.cursor() as last):
                self._lock_table(curs)
                self._notify_channel(curs)
                if conference is not None:
                    last.execute(chain.last_hash_query("%s"), (conference,))
                curs.execute(self._insert_columns, self._columns(stored_events))
                try:
                    pipeline.sync()  # a uniqueness violation is raised here, not at commit
                except Exception as error:
                    failed = error  # raised once the pipeline is closed: psycopg warns otherwise
                else:
                    ids = [row["notification_id"] for row in curs.fetchall()]
                    if conference is not None:
                        self._write_side_rows(curs, *chain.side_rows(
                            ids, stored_events, kwargs, chain.last_hash(last.fetchone())))
            if failed is not None:
                raise failed
        return ids

    @staticmethod
    def _columns(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
        return ([e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events], [e.state for e in stored_events])

    @staticmethod
    def _write_side_rows(curs: Cursor[DictRow], keys: list[tuple[Any, ...]],
                         links: list[tuple[Any, ...]]) -> None:
        """The batch's keys and chain links: a statement per table, not per row."""
        if keys:
            curs.execute(_INSERT_KEYS, _columns_of(keys))
        curs.execute(_INSERT_LINKS, _columns_of(links))

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
    """The library's factory, with `LedgerRecorder` and a pool that checks a connection it lends
    without a round trip."""

    application_recorder_class = LedgerRecorder

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        # The pool's `check` (psycopg_pool keeps it as `_check`; the library offers only its
        # round-trip ping, POSTGRES_PRE_PING) runs on every connection it lends.
        self.datastore.pool._check = closed_by_server


def closed_by_server(conn: Connection[Any]) -> None:
    """Raise (and close `conn`, so the pool drops it) if the server has closed this idle
    connection: after a restart, or through a proxy that cut it.

    An idle connection has nothing to read; its socket is readable only when the server has
    ended it (the end of the stream, or a notice that it is terminating). One poll finds what the
    library's pre-ping found with a round trip, which cost two per single-event request."""
    if not conn.closed and not select.select([conn.fileno()], [], [], 0)[0]:
        return
    conn.close()
    raise psycopg.OperationalError("the server closed this connection")
