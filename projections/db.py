"""A thin, dialect-neutral way to run SQL on the ledger's own database.

Queries are written with `?` placeholders; on PostgreSQL they become `%s`. Connections come from
the eventsourcing datastore the ledger already opened, so there is one pool per process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import ApplicationRecorder


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

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        with self.transaction() as cursor:
            cursor.execute(statement, params)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.reading() as reads:
            return reads.query(statement, params)

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Reads]:
        """Queries that belong together (one report's) in one read transaction.

        On PostgreSQL each `query` alone checks a connection out of the pool, pings it, begins
        and rolls back: four round trips for one SELECT. A report of fifty queries pays that once.
        With `snapshot`, every query sees the same committed state even while a projector writes
        (PostgreSQL's REPEATABLE READ; a SQLite read transaction always does).
        """
        with self.transaction(commit=False) as cursor:
            if snapshot and self.is_postgres:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
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
