"""The live read-model store: tables in the ledger's database, written with the projector's
position in one transaction, and read by the API through the same `Reader` interface as replays.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from projections.db import Cursor, Database
from projections.tables import COLLECTIONS, Key, Range, Row, Rows, Table

TRACKING_PREFIX = "projection:"
POSITION = "SELECT notification_id FROM tracking WHERE application_name = ?"


def tracking_name(projection: str) -> str:
    """The tracking row name of a read model in the library's tracking table."""
    return TRACKING_PREFIX + projection


@dataclass(frozen=True)
class Changes:
    """A table's changed rows, encoded: rows storage has never held, the other changed rows,
    and the keys of deleted rows."""

    table: Table
    new: list[tuple[Any, ...]]
    changed: list[tuple[Any, ...]]
    deleted: list[Key]


@dataclass(frozen=True)
class Batch:
    """What a page changed in some read models' tables, and each read model's new position."""

    changes: list[Changes]
    positions: list[tuple[str, int]]


class TableStore:
    """DDL, loading and flushing of read-model tables on SQLite or PostgreSQL."""

    def __init__(self, database: Database, tracking: TrackingRecorder | None = None):
        self.database = database
        self.tracking = tracking

    def create(self, tables: Sequence[Table]) -> None:
        """Create missing tables and their declared indexes (so a new index needs no rebuild)."""
        with self.database.transaction() as cursor:
            for table in tables:
                cursor.execute(self._ddl(table))
                for statement in self._index_ddl(table):
                    cursor.execute(statement)

    def drop(self, tables: Sequence[Table], projection: str) -> None:
        """Drop a read model's tables and forget its position (for a rebuild)."""
        with self.database.transaction() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {table.name}")
            cursor.execute("DELETE FROM tracking WHERE application_name = ?",
                           (tracking_name(projection),))

    def analyze(self, tables: Sequence[Table]) -> None:
        """Refresh the planner's statistics of `tables` (PostgreSQL only; see the projector)."""
        if self.database.is_postgres:
            with self.database.transaction() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {table.name}")

    def load(self, tables: Sequence[Table], rows: Rows, projection: str) -> int:
        """Load a read model's rows; return the position they reflect, read in the same
        snapshot (so another process committing in between cannot leave rows older than it)."""
        with self.database.read_transaction(snapshot=True) as cursor:
            for table in tables:
                rows.clear(table)
                cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")
                rows.load(table, (table.decode(values) for values in cursor.fetchall()))
            cursor.execute(POSITION, (tracking_name(projection),))
            found = cursor.fetchone()
        return int(found[0]) if found else 0

    def position(self, projection: str) -> int:
        """The last event position the read model reflects (0 before the first)."""
        found = self.database.query(POSITION, (tracking_name(projection),))
        return int(found[0][0]) if found else 0

    def positions(self) -> dict[str, int]:
        found = self.database.query("SELECT application_name, notification_id FROM tracking")
        return {name.removeprefix(TRACKING_PREFIX): int(pos) for name, pos in found
                if name.startswith(TRACKING_PREFIX)}

    def take(self, work: Sequence[tuple[str, Sequence[Table], Rows, int]]) -> Batch:
        """Take every changed row of each read model in `work` out of its rows, encoded, with
        its new position: the rows may change again while the batch is written."""
        changes = []
        for _projection, tables, rows, _position in work:
            for table in tables:
                new, changed, deleted = rows.take_dirty(table)
                if new or changed or deleted:
                    changes.append(Changes(table, [table.encode(r) for r in new],
                                           [table.encode(r) for r in changed], deleted))
        return Batch(changes, [(projection, position) for projection, _, _, position in work])

    def write(self, cursor: Cursor, batch: Batch) -> None:
        """Write a batch's rows and positions in the transaction of `cursor`: all or nothing."""
        assert self.tracking is not None
        for changes in batch.changes:
            self._insert(cursor, changes.table, changes.new)
            self._write(cursor, changes.table, changes.changed)
            self._remove(cursor, changes.table, changes.deleted)
        for projection, position in batch.positions:
            self.tracking._insert_tracking(  # type: ignore[attr-defined]
                cursor.raw, Tracking(tracking_name(projection), position))

    def _insert(self, cursor: Cursor, table: Table, encoded: list[tuple[Any, ...]]) -> None:
        """Insert rows storage has never held (most rows a catch-up writes); one already there
        is an IntegrityError, as when another process wrote the page first. On PostgreSQL, by a
        binary COPY: at 100k events it took the server about half the CPU of the upsert, and
        psycopg a quarter of the CPU of dumping the column arrays."""
        if not encoded:
            return
        if not self.database.is_postgres:
            cursor.executemany(self._insert_values(table), encoded)
            return
        with cursor.raw.copy(f"COPY {table.name} ({', '.join(table.columns)}) "
                             "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_PG_TYPE[kind] for kind in table.types.values()])
            for values in encoded:
                copy.write_row(values)

    def _write(self, cursor: Cursor, table: Table, encoded: list[tuple[Any, ...]]) -> None:
        """Upsert changed rows. On PostgreSQL, one statement per table whose parameters are an
        array per column: psycopg's executemany sends a statement per row (40 % of catch-up)."""
        if not encoded:
            return
        if not self.database.is_postgres:
            cursor.executemany(self._upsert(table), encoded)
            return
        columns = [list(column) for column in zip(*encoded, strict=True)]
        cursor.execute(self._bulk_upsert(table), columns)

    def _remove(self, cursor: Cursor, table: Table, keys: list[Key]) -> None:
        if not keys:
            return
        if not self.database.is_postgres:
            cursor.executemany(self._delete(table), keys)
            return
        arrays = ", ".join(_array(table.types[c]) for c in table.key)
        cursor.execute(f"DELETE FROM {table.name} WHERE ({', '.join(table.key)}) IN "
                       f"(SELECT * FROM unnest({arrays}))",
                       [list(column) for column in zip(*keys, strict=True)])

    @staticmethod
    def _bulk_upsert(table: Table) -> str:
        arrays = ", ".join(_array(kind) for kind in table.types.values())
        return (f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                f"SELECT * FROM unnest({arrays}) {_on_conflict(table)}")

    def _ddl(self, table: Table) -> str:
        integer = "BIGINT" if self.database.is_postgres else "INTEGER"
        kinds = {"text": "TEXT", "int": integer, "bool": integer, "json": "TEXT"}
        columns = ", ".join(f"{c} {kinds[k]}" for c, k in table.types.items())
        return (f"CREATE TABLE IF NOT EXISTS {table.name} ({columns}, "
                f"PRIMARY KEY ({', '.join(table.key)}))")

    def _index_ddl(self, table: Table) -> list[str]:
        """One CREATE INDEX per declared order, its terms exactly as `_sort_clause` sorts (NULLS
        placement included: PostgreSQL walks an index for ORDER BY only when they match)."""
        postgres = self.database.is_postgres
        statements = []
        for order in table.index_orders:
            name = "_".join([table.name, "by", *(c for c, _ in order)])
            terms = ", ".join(_index_term(table, c, d, postgres) for c, d in order)
            statements.append(f"CREATE INDEX IF NOT EXISTS {name} ON {table.name} "
                              f"(conference, {terms})")
        return statements

    @staticmethod
    def _insert_values(table: Table) -> str:
        marks = ", ".join("?" for _ in table.columns)
        return f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"

    def _upsert(self, table: Table) -> str:
        return f"{self._insert_values(table)} {_on_conflict(table)}"

    @staticmethod
    def _delete(table: Table) -> str:
        return f"DELETE FROM {table.name} WHERE " + " AND ".join(f"{c} = ?" for c in table.key)


_PG_TYPE = {"text": "text", "int": "int8", "bool": "int8", "json": "text"}
_PG_ARRAY = {"text": "text[]", "int": "bigint[]", "bool": "bigint[]", "json": "text[]"}


def _array(kind: str) -> str:
    """A PostgreSQL array parameter of a column of `kind`. `%b` has psycopg send it in binary,
    which it makes about twice as fast as text (50,000 strings: 46 -> 18 ms a statement)."""
    return f"%b::{_PG_ARRAY[kind]}"


def _on_conflict(table: Table) -> str:
    values = [c for c in table.columns if c not in table.key]
    action = ("DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in values)
              if values else "DO NOTHING")
    return f"ON CONFLICT ({', '.join(table.key)}) {action}"


class Queries(Protocol):
    """Where a `SqlReader` runs its SELECTs: a `Database`, or one of its read transactions."""

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def reading(self, *, snapshot: bool = False) -> AbstractContextManager[Queries]: ...


class _Remembered:
    """The queries of one read transaction, each distinct statement and parameters run once.

    A report built from the query functions that define each figure asks for the same small
    tables again and again (`financial` ran 57 queries, 27 of them distinct). Inside one read
    transaction the repeat would only cost a round trip, so the first answer is reused.
    """

    def __init__(self, reads: Queries):
        self.reads = reads
        self.answers: dict[tuple[str, tuple[Any, ...]], list[tuple[Any, ...]]] = {}

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        asked = (statement, tuple(params))
        if asked not in self.answers:
            self.answers[asked] = self.reads.query(statement, params)
        return list(self.answers[asked])

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[_Remembered]:
        yield self


class SqlReader:
    """Reads live read-model rows with indexed, bounded queries."""

    def __init__(self, database: Queries):
        self.database = database

    @contextmanager
    def in_one_transaction(self) -> Iterator[SqlReader]:
        """A reader whose every query runs in one read transaction (one report's answer), each
        distinct query once: the financial dashboard's sections and charts share totals. They
        all see one snapshot: figures on different tables agree even while a projector writes."""
        with self.database.reading(snapshot=True) as reads:
            yield SqlReader(_Remembered(reads))

    def one(self, table: Table, *key: Any) -> Row | None:
        condition = " AND ".join(f"{c} = ?" for c in table.key)
        found = self.database.query(
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE {condition}", key)
        return table.decode(found[0]) if found else None

    def many(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
             order: tuple[tuple[str, bool], ...] = (), limit: int | None = None,
             after: Key | None = None) -> list[Row]:
        sql, params = self._select(table, conference, where, order, after)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [table.decode(values) for values in self.database.query(sql, params)]

    def stream(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
               order: tuple[tuple[str, bool], ...] = (), page: int = 2000) -> Iterator[Row]:
        """Rows in pages by keyset, so memory stays flat however many rows there are."""
        order = order or tuple((c, False) for c in table.key[1:])
        sort_columns = [c for c, _ in order] + [c for c in table.key[1:] if c not in dict(order)]
        full_order = tuple((c, dict(order).get(c, False)) for c in sort_columns)
        after: tuple[Any, ...] | None = None
        while True:
            rows = self.many(table, conference, where=where, order=full_order, limit=page,
                             after=after)
            yield from rows
            if len(rows) < page:
                return
            after = tuple(rows[-1][c] for c in sort_columns)

    def sums(self, table: Table, conference: str, *columns: str, by: str,
             where: dict[str, Any] | None = None) -> dict[Any, dict[str, int]]:
        """Σ each of `columns` per `by`, added up by the database rather than row by row in
        Python, so a report reads one row per group however many rows the group has."""
        clauses, params = _conditions(table, conference, where)
        totals = ", ".join(f"SUM({column}) AS {column}" for column in columns)
        found = self.database.query(f"SELECT {by}, {totals} FROM {table.name} "
                                    f"WHERE {' AND '.join(clauses)} GROUP BY {by}", params)
        return {value: dict(zip(columns, map(int, sums), strict=True))
                for value, *sums in found}

    def top_sums(self, table: Table, conference: str, value: str, count: str,
                 *tops: int) -> list[int]:
        """Σ of the top units, from running sums the database keeps down the ranking, in one
        query: walking the ranking in Python read a row per value (`customer-segments` at 1M
        events: 831 revenue levels)."""
        running = (f"SELECT {value} AS worth, SUM({count}) OVER ranking AS units, "
                   f"SUM({count} * {value}) OVER ranking AS so_far FROM {table.name} "
                   "WHERE conference = ? "
                   f"WINDOW ranking AS (ORDER BY {value} DESC ROWS UNBOUNDED PRECEDING)")
        # The row where the running count reaches the top, less its units beyond the top; a
        # top beyond every unit takes them all.
        top_sum = ("COALESCE((SELECT so_far - (units - ?) * worth FROM running "
                   "WHERE units >= ? ORDER BY units LIMIT 1), "
                   "(SELECT so_far FROM running ORDER BY units DESC LIMIT 1), 0)")
        found = self.database.query(
            f"WITH running AS ({running}) "
            f"SELECT {', '.join(f'{top_sum} AS top_{n}' for n in range(len(tops)))}",
            (conference, *(bound for top in tops for bound in (top, top))))
        return [int(total) for total in found[0]]

    def _select(self, table: Table, conference: str, where: dict[str, Any] | None,
                order: tuple[tuple[str, bool], ...], after: Key | None) -> tuple[str, list[Any]]:
        clauses, params = _conditions(table, conference, where)
        order = order or tuple((c, False) for c in table.key[1:])
        if after is not None:
            clause, values = _keyset(order, after)
            clauses.append(clause)
            params += values
        sorting = ", ".join(_sort_clause(table, c, d) for c, d in order)
        sql = (f"SELECT {', '.join(table.columns)} FROM {table.name} "
               f"WHERE {' AND '.join(clauses)}" + (f" ORDER BY {sorting}" if sorting else ""))
        return sql, params


def _sort_clause(table: Table, column: str, descending: bool) -> str:
    """NULLs sort first ascending (as in memory); key columns are never NULL, and leaving the
    NULLS clause off them lets PostgreSQL walk the primary-key index instead of sorting."""
    direction = "DESC" if descending else "ASC"
    if column in table.key:
        return f"{column} {direction}"
    return f"{column} {direction} {'NULLS LAST' if descending else 'NULLS FIRST'}"


def _index_term(table: Table, column: str, descending: bool, postgres: bool) -> str:
    """An index column as `_sort_clause` orders it; SQLite's defaults already put NULLs first
    ascending and last descending, and it takes no NULLS clause in an index."""
    if postgres:
        return _sort_clause(table, column, descending)
    return f"{column} {'DESC' if descending else 'ASC'}"


def _conditions(table: Table, conference: str,
                where: dict[str, Any] | None) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (ANDed) and parameters of the conference and `where`."""
    clauses, params = ["conference = ?"], [conference]
    for column, wanted in (where or {}).items():
        clause, values = _condition(column, table.types[column], wanted)
        clauses.append(clause)
        params += values
    return clauses, params


def _condition(column: str, kind: str, wanted: Any) -> tuple[str, list[Any]]:
    if isinstance(wanted, Range):
        parts, values = [f"{column} IS NOT NULL"], []
        if wanted.low is not None:
            parts.append(f"{column} >= ?")
            values.append(wanted.low)
        if wanted.high is not None:
            parts.append(f"{column} <= ?")
            values.append(wanted.high)
        return " AND ".join(parts), values
    if isinstance(wanted, COLLECTIONS):
        items = list(wanted)
        if not items:
            return "1 = 0", []
        return f"{column} IN ({', '.join('?' for _ in items)})", items
    if wanted is None:
        return f"{column} IS NULL", []
    return f"{column} = ?", [int(wanted) if kind == "bool" else wanted]


def _keyset(order: tuple[tuple[str, bool], ...], after: Key) -> tuple[str, list[Any]]:
    """Rows strictly after `after` in `order` (each column ascending or descending).

    The leading bound on the first column says nothing new, but it is what lets either database
    start an index walk at the page instead of filtering every row before it.
    """
    first, first_descending = order[0]
    bound = f"{first} {'<=' if first_descending else '>='} ?"
    alternatives, params = [], [after[0]]
    for n, (column, descending) in enumerate(order):
        equal = [f"{c} = ?" for c, _ in order[:n]]
        params += list(after[:n])
        equal.append(f"{column} {'<' if descending else '>'} ?")
        params.append(after[n])
        alternatives.append("(" + " AND ".join(equal) + ")")
    return f"{bound} AND (" + " OR ".join(alternatives) + ")", params


def open_store(ledger_recorder: object) -> TableStore:
    """A table store on the ledger's own database, with the library's tracking table."""
    from eventsourcing.postgres import PostgresTrackingRecorder
    from eventsourcing.sqlite import SQLiteTrackingRecorder

    database = Database(ledger_recorder)  # type: ignore[arg-type]
    datastore = database.datastore
    tracking: TrackingRecorder = (
        PostgresTrackingRecorder(datastore, tracking_table_name="tracking")
        if database.is_postgres else SQLiteTrackingRecorder(datastore))
    tracking.create_table()  # type: ignore[attr-defined]
    return TableStore(database, tracking)
