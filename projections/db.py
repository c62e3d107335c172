"""A thin, dialect-neutral way to run SQL on the ledger's own database.

Queries are written with `?` placeholders; on PostgreSQL they become `%s`. Connections come from
the eventsourcing datastore the ledger already opened, so there is one pool per process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from psycopg import IsolationLevel


class Database:
    """SQL access beside the event store (tokens, read models, audit queries)."""

    def __init__(self, recorder: ApplicationRecorder):
        self.datastore = recorder.datastore  # type: ignore[attr-defined]
        self.is_postgres = type(recorder).__module__.endswith("postgres")

    def sql(self, statement: str) -> str:
        """`statement` in this database's placeholder style."""
        return statement.replace("?", "%s") if self.is_postgres else statement

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Cursor]:
        """A cursor inside one transaction, committed (or rolled back) at the end."""
        with self.datastore.transaction(commit=commit) as raw:
            yield Cursor(raw, self)

    @contextmanager
    def read_transaction(self, *, snapshot: bool = False) -> Iterator[Cursor]:
        """A transaction that can only read; with `snapshot`, every query in it sees the same
        committed state, even while a projector writes.

        On PostgreSQL the BEGIN itself says READ ONLY (and REPEATABLE READ for a snapshot), and
        the transaction ends with COMMIT, not ROLLBACK: psycopg forgets every statement it has
        prepared on a connection when that connection rolls back, so reads that rolled back had
        their queries parsed and planned again by the next request. On SQLite it rolls back (a
        committing transaction would wait for the writer) and always reads one state."""
        if not self.is_postgres:
            with self.transaction(commit=False) as cursor:
                yield cursor
            return
        with self.datastore.get_connection() as conn:
            conn.read_only = True
            conn.isolation_level = IsolationLevel.REPEATABLE_READ if snapshot else None
            try:
                with conn.transaction(), conn.cursor() as raw:
                    yield Cursor(raw, self)
            finally:
                with suppress(psycopg.Error):  # a broken connection leaves the pool anyway
                    conn.read_only = conn.isolation_level = None

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        with self.transaction() as cursor:
            cursor.execute(statement, params)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """One read. On PostgreSQL it runs alone, outside any transaction (the pool's
        connections are in autocommit): one round trip, where BEGIN and its end took three."""
        if not self.is_postgres:
            with self.reading() as reads:
                return reads.query(statement, params)
        with self.datastore.cursor() as raw:
            cursor = Cursor(raw, self)
            cursor.execute(statement, params)
            return cursor.fetchall()

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Reads]:
        """Queries that belong together (one report's) in one read transaction.

        A report of fifty queries checks a connection out of the pool once. With `snapshot`,
        every query sees the same committed state (see `read_transaction`).
        """
        with self.read_transaction(snapshot=snapshot) as cursor:
            yield Reads(cursor)


class Reads:
    """Queries on one open read transaction (see `Database.reading`)."""

    def __init__(self, cursor: Cursor):
        self.cursor = cursor

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(statement, params)
        return self.cursor.fetchall()

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Reads]:
        """This same transaction: reads already inside one stay there."""
        yield self


class Cursor:
    """A cursor that takes `?` placeholders and returns plain tuples on either database."""

    def __init__(self, raw: Any, database: Database):
        self.raw = raw
        self.database = database

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.raw.execute(self.database.sql(statement), list(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.raw.executemany(self.database.sql(statement), [list(r) for r in rows])

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [_plain(row) for row in self.raw.fetchall()]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self.raw.fetchone()
        return None if row is None else _plain(row)


def _plain(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
