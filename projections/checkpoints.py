"""Checkpoints of read models' in-memory state, so that as-of and known-at replays start part-way.

A checkpoint is a projection's rows of one conference after every event of that conference up to
`position`, with the latest effective and recorded times among those events. A replay with as-of
T and known-at K may start from it when both maxima are within the cut-offs: every event it covers
passes them, so it holds exactly what the replay would have built by then.

The live projector writes them (its rows ARE that state) each time a conference has gained `EVERY`
events. To stay cheap however large the state grows, a checkpoint holds only the rows changed and
the keys deleted since the one before it; the first one a projector writes after it opens is a
*base* holding the whole state. A restore loads the latest usable base and the deltas after it,
in order. Each row names the checkpoint it follows and carries a SHA-256 of its content, so a
missing, edited or garbled row ends the usable chain there: the replay then starts from the last
good checkpoint (or from nothing), slower but still right.

Checkpoints are a cache. They are JSON compressed with zlib (never pickle: reading one must not run
code), are dropped when their read model is rebuilt, and are ignored once the read model's tables
are laid out differently. The digest catches accidents and careless edits, not a forger who can
write the database (such a person can rewrite the read models too): `replay(checkpoints=False)`
reads the log alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson

from projections.audit import EventLog, Span
from projections.db import Cursor, Database
from projections.projection import Projection
from projections.tables import Key, Rows, Table

log = logging.getLogger("confledger.checkpoints")
TABLE = "confledger_checkpoints"
FORMAT = "rows as value lists in column order"
EVERY = 20_000  # events of a conference between checkpoints: a replay decodes at most about this


@dataclass(frozen=True)
class Mark:
    """Where a checkpoint stands: its position and the latest times of the events it covers."""

    position: int
    max_effective: int
    max_recorded: int

    def fits(self, stop: int | None, effective: int | None, recorded: int | None) -> bool:
        """True when every event the checkpoint covers passes the replay's cut-offs."""
        return ((stop is None or self.position <= stop)
                and (effective is None or self.max_effective <= effective)
                and (recorded is None or self.max_recorded <= recorded))


@dataclass(frozen=True)
class Record:
    """One stored checkpoint: a base (whole state) or a delta after checkpoint `previous`."""

    projection: str
    conference: str
    mark: Mark
    previous: int
    base: bool
    state: bytes

    def digest(self) -> str:
        head = (self.projection, self.conference, self.mark.position, self.previous, self.base,
                self.mark.max_effective, self.mark.max_recorded)
        return hashlib.sha256(json.dumps(head).encode() + self.state).hexdigest()


def layout(projection: Projection) -> str:
    """A fingerprint of the projection's tables and of how a checkpoint lays their rows out:
    a checkpoint is read only by code that lays them out the same way."""
    specs = [FORMAT, *((t.name, t.key_spec, t.column_spec) for t in projection.all_tables)]
    return hashlib.sha256(json.dumps(specs).encode()).hexdigest()[:16]


def encode(projection: Projection, rows: Rows, conference: str,
           keys: Mapping[str, Sequence[Key]]) -> bytes:
    """The rows at `keys` (per table) of one conference: value lists, and the keys now absent."""
    tables = {}
    for table in projection.all_tables:
        present, deleted = rows.rows_at(table, keys.get(table.name, ()))
        if present or deleted:
            tables[table.name] = [[table.values_of(row) for row in present],
                                  [key[1:] for key in deleted]]
    payload = {"layout": layout(projection), "tables": tables}
    return zlib.compress(orjson.dumps(payload), 1)


class Unusable(Exception):
    """Raised when a stored checkpoint cannot be trusted or read."""


def apply(record: Record, digest: str, projection: Projection, rows: Rows) -> None:
    """Load a checkpoint's rows into `rows`; raise Unusable (changing nothing) when it is not
    the checkpoint its digest describes or was written for another table layout."""
    if record.digest() != digest:
        raise Unusable("its digest does not match its content")
    try:
        payload = orjson.loads(zlib.decompress(record.state))
        if payload["layout"] != layout(projection):
            raise Unusable("the read model's tables changed since it was written")
        tables: dict[str, Table] = {t.name: t for t in projection.all_tables}
        changes = [(tables[name], present, deleted)
                   for name, (present, deleted) in payload["tables"].items()]
    except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise Unusable(f"it cannot be read ({error})") from error
    for table, present, deleted in changes:
        rows.restore(table, present, ((record.conference, *key) for key in deleted))


class CheckpointStore:
    """The checkpoints table on SQLite or PostgreSQL."""

    def __init__(self, database: Database):
        self.database = database

    def create(self) -> None:
        integer = "BIGINT" if self.database.is_postgres else "INTEGER"
        binary = "BYTEA" if self.database.is_postgres else "BLOB"
        self.database.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (projection TEXT NOT NULL, "
            f"conference TEXT NOT NULL, position {integer} NOT NULL, "
            f"previous {integer} NOT NULL, base {integer} NOT NULL, "
            f"max_effective {integer} NOT NULL, max_recorded {integer} NOT NULL, "
            f"digest TEXT NOT NULL, state {binary} NOT NULL, "
            "PRIMARY KEY (projection, conference, position))")

    def drop(self, projection: str) -> None:
        """Forget every checkpoint of `projection` (its read model is rebuilt from nothing)."""
        self.database.execute(f"DELETE FROM {TABLE} WHERE projection = ?", (projection,))

    def insert(self, cursor: Cursor, records: Sequence[Record]) -> None:
        """Store `records` in the transaction of `cursor` (the projector's page); a checkpoint
        another process wrote at the same position stays."""
        cursor.executemany(
            f"INSERT INTO {TABLE} (projection, conference, position, previous, base, "
            "max_effective, max_recorded, digest, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (projection, conference, position) DO NOTHING",
            [(r.projection, r.conference, r.mark.position, r.previous, int(r.base),
              r.mark.max_effective, r.mark.max_recorded, r.digest(), r.state)
             for r in records])

    def latest(self, projection: str, conference: str) -> Mark | None:
        found = self.database.query(
            f"SELECT position, max_effective, max_recorded FROM {TABLE} WHERE projection = ? "
            "AND conference = ? ORDER BY position DESC LIMIT 1", (projection, conference))
        return Mark(*found[0]) if found else None

    def marks(self, projection: str, conference: str) -> list[tuple[Mark, bool]]:
        """Each checkpoint's mark and whether it is a base, in position order."""
        found = self.database.query(
            f"SELECT position, max_effective, max_recorded, base FROM {TABLE} "
            "WHERE projection = ? AND conference = ? ORDER BY position", (projection, conference))
        return [(Mark(p, e, r), bool(b)) for p, e, r, b in found]

    def records(self, projection: str, conference: str, low: int,
                high: int) -> list[tuple[Record, str]]:
        """The checkpoints from `low` to `high` with their stored digests, in position order."""
        found = self.database.query(
            f"SELECT position, max_effective, max_recorded, previous, base, state, digest "
            f"FROM {TABLE} WHERE projection = ? AND conference = ? AND position >= ? "
            "AND position <= ? ORDER BY position", (projection, conference, low, high))
        return [(Record(projection, conference, Mark(p, e, r), previous, bool(base),
                        bytes(state)), digest)
                for p, e, r, previous, base, state, digest in found]


def restore(store: CheckpointStore, projection: Projection, conference: str, rows: Rows, *,
            stop: int | None, effective: int | None, recorded: int | None) -> int:
    """Load `projection`'s latest checkpoint that fits the cut-offs into `rows`; return its
    position (0 when none fits, and `rows` then holds nothing of the projection)."""
    marks = [(mark, base) for mark, base in store.marks(projection.name, conference)
             if mark.fits(stop, effective, recorded)]
    bases = [mark for mark, base in marks if base]
    if not bases:
        return 0
    loaded, previous = 0, 0
    for record, digest in store.records(projection.name, conference, bases[-1].position,
                                        marks[-1][0].position):
        fits = record.mark.fits(stop, effective, recorded)
        if not fits or (not record.base and record.previous != previous):
            break  # a checkpoint in between is missing, or stands past the cut-offs
        try:
            apply(record, digest, projection, rows)
        except Unusable as why:
            log.warning("checkpoint %s/%s at %s ignored: %s", projection.name, conference,
                        record.mark.position, why)
            break
        loaded = previous = record.mark.position
    return loaded


class Checkpointer:
    """Writes checkpoints of a projector's read models as conferences gain events.

    Before each page's changes are taken it notes which keys changed (taking forgets them); then,
    for every conference that gained `every` events, it makes each read model's checkpoint of
    the changes since its last one, which the projector writes in the page's transaction. What
    changed before the projector opened is unknown, so the first checkpoint of each read model
    after `reset` is a base.
    """

    def __init__(self, store: CheckpointStore, log: EventLog, every: int | None = None):
        self.store = store
        self.log = log
        self.every = every or EVERY
        self._changed: dict[str, dict[str, set[Key]]] = {}
        self._gained: Counter[str] = Counter()
        self._written: dict[tuple[str, str], Mark] = {}

    def reset(self) -> None:
        self._changed.clear()
        self._gained.clear()
        self._written.clear()

    def count(self, conference: str) -> None:
        self._gained[conference] += 1

    def note(self, projection: Projection, rows: Rows) -> None:
        """Remember the keys `rows` changed since the last flush."""
        changed = self._changed.setdefault(projection.name, {})
        for table in projection.all_tables:
            if keys := rows.changed(table):
                changed.setdefault(table.name, set()).update(keys)

    def due(self, lanes: Sequence[tuple[Projection, Rows]], position: int) -> list[Record]:
        """Checkpoints of `lanes` (their rows at `position`) for the conferences due one, for
        the projector to write with the page. They count as written from now on: should the
        page fail, the projector reopens, and `reset` forgets them."""
        due = [c for c, gained in self._gained.items() if gained >= self.every]
        records: list[Record] = []
        spans: dict[tuple[str, int], Span] = {}  # lanes that checkpointed together share one
        for conference in due:
            del self._gained[conference]
            for projection, rows in lanes:
                if record := self._checkpoint(projection, rows, conference, position, spans):
                    records.append(record)
        for record in records:
            self._written[(record.projection, record.conference)] = record.mark
            for table_keys in self._changed.get(record.projection, {}).values():
                table_keys.difference_update([k for k in table_keys
                                              if k[0] == record.conference])
        return records

    def _checkpoint(self, projection: Projection, rows: Rows, conference: str, position: int,
                    spans: dict[tuple[str, int], Span]) -> Record | None:
        previous = self._written.get((projection.name, conference))
        base = previous is None
        if previous is None:
            previous = self.store.latest(projection.name, conference)
        after = previous.position if previous else 0
        if (conference, after) not in spans:
            spans[(conference, after)] = self.log.span(conference, after, position)
        last, effective, recorded, untimed = spans[(conference, after)]
        if last is None or untimed:
            return None  # nothing new, or events linked before the timeline: times unknown
        mark = Mark(last, max(effective, previous.max_effective if previous else effective),
                    max(recorded, previous.max_recorded if previous else recorded))
        changed = self._changed.get(projection.name, {})
        keys = {table.name: [k for k in (rows.keys(table) if base else
                                         changed.get(table.name, ())) if k[0] == conference]
                for table in projection.all_tables}
        state = encode(projection, rows, conference, keys)
        return Record(projection.name, conference, mark, 0 if base else after, base, state)
