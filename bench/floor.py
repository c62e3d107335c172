"""The raw floor: the very payloads the ledger stored, inserted straight into the same database.

The payloads are read back from the event log (not timed) and written to a scratch table shaped
like the library's events table (same columns, same keys), in the batches the eventsourcing notes
measured: SQLite `executemany` 250 rows per transaction; PostgreSQL `executemany` and `COPY`, 1,000
rows per transaction. Only the writes are timed. The scratch table is dropped afterwards.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder

from bench.databases import Store
from bench.measure import Figure, per_second

READ_PAGE = 10_000
SCRATCH = "bench_floor"
SQLITE_ROWS, POSTGRES_ROWS = 250, 1_000
SQLITE_TABLE = (f"CREATE TABLE {SCRATCH} (originator_id TEXT, originator_version INTEGER, "
                "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")
POSTGRES_TABLE = (f"CREATE TABLE {SCRATCH} (originator_id uuid NOT NULL, "
                  "originator_version bigint NOT NULL, topic text, state bytea, "
                  "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))")
POSTGRES_INDEX = f"CREATE UNIQUE INDEX {SCRATCH}_id ON {SCRATCH} (notification_id ASC)"
COLUMNS = "originator_id, originator_version, topic, state"


def stored_payloads(recorder: ApplicationRecorder) -> Iterator[list[tuple[Any, int, str, bytes]]]:
    """Every stored event as (originator_id, version, topic, state), a page at a time."""
    start = 0
    while page := recorder.select_notifications(start, READ_PAGE, inclusive_of_start=False):
        yield [(n.originator_id, n.originator_version, n.topic, n.state) for n in page]
        start = page[-1].id


def measure_floor(store: Store, recorder: ApplicationRecorder) -> list[Figure]:
    """Raw insert rates of the stored payloads, and their mean size."""
    table = recorder.events_table_name  # type: ignore[attr-defined]
    figures = [Figure("stored event payload (mean)", _mean_size(store, table), "bytes")]
    if store.kind == "sqlite":
        assert store.path is not None
        rate = _sqlite_floor(str(store.path), recorder)
        return [*figures, Figure(f"raw floor: executemany {SQLITE_ROWS}/tx", rate, "ev/s")]
    return [
        *figures,
        Figure(f"raw floor: executemany {POSTGRES_ROWS}/tx",
               _postgres_floor(store.url, recorder, _postgres_executemany), "ev/s"),
        Figure(f"raw floor: COPY {POSTGRES_ROWS}/tx",
               _postgres_floor(store.url, recorder, _postgres_copy), "ev/s")]


def _mean_size(store: Store, table: str) -> float:
    query = f"SELECT avg(length(state)) FROM {table}"
    if store.kind == "sqlite":
        with closing(sqlite3.connect(str(store.path))) as connection:
            row = connection.execute(query).fetchone()
    else:
        with psycopg.connect(store.url) as connection:
            row = connection.execute(query).fetchone()
    return float(row[0] or 0) if row else 0.0


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _sqlite_floor(path: str, recorder: ApplicationRecorder) -> float:
    with closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        connection.execute(SQLITE_TABLE)
        statement = f"INSERT INTO {SCRATCH} ({COLUMNS}) VALUES (?, ?, ?, ?)"
        count, seconds = 0, 0.0
        for page in stored_payloads(recorder):
            rows = [(str(o.hex), v, t, s) for o, v, t, s in page]
            started = time.perf_counter()
            for chunk in _chunks(rows, SQLITE_ROWS):
                connection.execute("BEGIN")
                connection.executemany(statement, chunk)
                connection.execute("COMMIT")
            seconds += time.perf_counter() - started
            count += len(rows)
        connection.execute(f"DROP TABLE {SCRATCH}")
    return per_second(count, seconds)


Writer = Callable[[psycopg.Connection[Any], Sequence[Any]], None]


def _postgres_floor(url: str, recorder: ApplicationRecorder, write: Writer) -> float:
    with psycopg.connect(url) as connection:
        with connection.transaction():
            connection.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
            connection.execute(POSTGRES_TABLE)
            connection.execute(POSTGRES_INDEX)
        count, seconds = 0, 0.0
        for page in stored_payloads(recorder):
            started = time.perf_counter()
            for chunk in _chunks(page, POSTGRES_ROWS):
                with connection.transaction():
                    write(connection, chunk)
            seconds += time.perf_counter() - started
            count += len(page)
        with connection.transaction():
            connection.execute(f"DROP TABLE {SCRATCH}")
    return per_second(count, seconds)


def _postgres_executemany(connection: psycopg.Connection[Any], rows: Sequence[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {SCRATCH} ({COLUMNS}) VALUES (%s, %s, %s, %s)", rows)


def _postgres_copy(connection: psycopg.Connection[Any], rows: Sequence[Any]) -> None:
    with connection.cursor() as cursor, cursor.copy(
            f"COPY {SCRATCH} ({COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
