"""The per-conference SHA-256 hash chain, the timeline and the idempotency keys, kept beside the
event log.

Each stored event is linked to the one before it in its conference: its hash covers the previous
hash, its position and the exact stored bytes (aggregate id, version, topic, state). Editing any
stored row, or a link, breaks the chain at that position, which `verify` reports.

Each link also carries its event's effective and recorded times (epoch microseconds, compared the
same way on both databases): the timeline. An as-of replay selects the positions it needs from it
without decoding every event of the log. Links written before the timeline existed have NULL
times; replays decode those events and check them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from eventsourcing.persistence import StoredEvent

GENESIS = "0" * 64
KnownKeys = dict[tuple[str, str], tuple[str, int]]  # (source, id) -> (digest, position)
KEYS_TABLE = "confledger_intake_keys"
CHAIN_TABLE = "confledger_chain"
TIMELINE_COLUMNS = ("effective_at", "recorded_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """`moment` as whole microseconds since 1970 UTC: exact, and ordered like the datetimes."""
    return (moment - _EPOCH) // _MICROSECOND


def link(prev_hash: str, position: int, event: StoredEvent) -> str:
    """The hash of `event` stored at `position`, chained to `prev_hash`."""
    h = hashlib.sha256()
    originator = getattr(event.originator_id, "hex", event.originator_id)
    for part in (prev_hash, str(position), str(originator), str(event.originator_version),
                 event.topic):
        h.update(part.encode())
        h.update(b"\x1f")
    h.update(bytes(event.state))
    return h.hexdigest()


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ...) -> Any: ...
    def executemany(self, query: Any, params: Any) -> Any: ...
    def fetchone(self) -> Any: ...


def last_hash_query(mark: str) -> str:
    """The hash of a conference's last link (run under the event table's lock)."""
    return (f"SELECT hash FROM {CHAIN_TABLE} WHERE conference = {mark} "
            "ORDER BY position DESC LIMIT 1")


def last_hash(row: Any) -> str:
    """The hash in a row of `last_hash_query`, or the genesis hash if there was none."""
    return _first(row) if row else GENESIS


KEY_COLUMNS = ("source", "source_id", "conference", "digest", "position")
LINK_COLUMNS = ("position", "conference", "hash", "prev_hash", "effective_at", "recorded_at")


def side_rows(ids: Sequence[int], stored: Sequence[StoredEvent], kwargs: dict[str, Any],
              prev: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A batch's idempotency keys and chain links (columns as `KEY_COLUMNS` and
    `LINK_COLUMNS`), the first link chained to `prev`, the hash of the conference's last link,
    with the events' times from the `times` keyword: (effective_at, recorded_at) per event."""
    conference = kwargs["conference"]
    keys = [(source, source_id, conference, digest, ids[offset])
            for source, source_id, digest, offset in kwargs.get("intake_keys", [])]
    given = kwargs.get("times")
    times = ([(micros(effective), micros(recorded)) for effective, recorded in given]
             if given is not None else [(None, None)] * len(ids))
    links = []
    for position, event, (effective, recorded) in zip(ids, stored, times, strict=True):
        current = link(prev, position, event)
        links.append((position, conference, current, prev, effective, recorded))
        prev = current
    return keys, links


def write_side_rows(cursor: Cursor, mark: str, ids: Sequence[int],
                    stored: Sequence[StoredEvent], kwargs: dict[str, Any], prev: str) -> None:
    """Write the batch's idempotency keys and chain links (see `side_rows`) in the events' own
    transaction, a statement per row."""
    keys, links = side_rows(ids, stored, kwargs, prev)
    for table, columns, rows in ((KEYS_TABLE, KEY_COLUMNS, keys),
                                 (CHAIN_TABLE, LINK_COLUMNS, links)):
        if rows:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                               f"VALUES ({', '.join(mark for _ in columns)})", rows)


def _first(row: Any) -> Any:
    return row["hash"] if isinstance(row, dict) or hasattr(row, "keys") else row[0]


def create_statements(big_int: str) -> list[str]:
    """DDL of the side tables (`big_int` is the dialect's 64-bit integer type)."""
    return [
        (f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (source TEXT NOT NULL, "
         f"source_id TEXT NOT NULL, conference TEXT NOT NULL, digest TEXT NOT NULL, "
         f"position {big_int} NOT NULL, PRIMARY KEY (source, source_id))"),
        (f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position {big_int} PRIMARY KEY, "
         "conference TEXT NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL, "
         f"effective_at {big_int}, recorded_at {big_int})"),
    ]


def index_statements() -> list[str]:
    """The chain's index, run after the timeline columns exist. It covers the timeline, so a
    replay's selection of one conference's positions reads the index alone; it replaces the
    earlier (conference, position) index, which it serves as well."""
    return [
        (f"CREATE INDEX IF NOT EXISTS {CHAIN_TABLE}_timeline ON {CHAIN_TABLE} "
         f"(conference, position, {', '.join(TIMELINE_COLUMNS)})"),
        f"DROP INDEX IF EXISTS {CHAIN_TABLE}_conference",
    ]


def find_keys_query(mark: str, count: int) -> str:
    """The recorded keys among `count` (source, id) pairs. A join, not a row-value IN: SQLite
    plans `(a, b) IN (VALUES ...)` as a scan of the whole table, the join uses its primary key."""
    pairs = ", ".join(f"({mark}, {mark})" for _ in range(count))
    return (f"WITH wanted(source, source_id) AS (VALUES {pairs}) "
            f"SELECT k.source, k.source_id, k.digest, k.position FROM wanted "
            f"JOIN {KEYS_TABLE} k ON k.source = wanted.source AND k.source_id = wanted.source_id")
