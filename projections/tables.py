"""Read-model tables and the in-memory row set every projection writes to.

A projection never talks SQL. It reads and writes rows of its own tables in a `Rows` set; the live
store persists the changed rows (with the projector's position, in one transaction) and the as-of
replay simply keeps them in memory. One projection code path therefore serves both, and reports
read either through the same `Reader` interface.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

Key = tuple[Any, ...]
Row = dict[str, Any]
_DEFAULTS = {"text": None, "int": 0, "bool": False, "json": None}
COLLECTIONS = (list, tuple, set, frozenset)  # a `where` value of these types means "any of"


@dataclass(frozen=True)
class Table:
    """A read-model table: `conference` plus key columns, then value columns with types.

    `Table("sales_day", "day", "orders:int revenue:int")`: columns default to text; money is
    kept as int minor units, exact on both databases.

    `indexes` are the secondary orders reports read the table in, each a column list with `-` for
    descending: `("-created credit_id",)` serves `order=(("created", True), ("credit_id", False))`
    with or without a LIMIT, so a page costs the same however many rows the table has.
    """

    name: str
    key_spec: str
    column_spec: str
    indexes: tuple[str, ...] = ()

    @cached_property
    def key(self) -> tuple[str, ...]:
        return ("conference", *(_split(c)[0] for c in self.key_spec.split()))

    @cached_property
    def types(self) -> dict[str, str]:
        specs = ["conference", *self.key_spec.split(), *self.column_spec.split()]
        return dict(_split(spec) for spec in specs)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.types)

    @cached_property
    def index_orders(self) -> tuple[tuple[tuple[str, bool], ...], ...]:
        """Each index as (column, descending) pairs after `conference`."""
        return tuple(tuple((c.lstrip("-"), c.startswith("-")) for c in spec.split())
                     for spec in self.indexes)

    def blank(self, key: Key) -> Row:
        """A new row with `key` and every value column at its default."""
        row = self._defaults.copy()
        row.update(zip(self.key, key, strict=True))
        return row

    def key_of(self, row: Row) -> Key:
        return self._key_getter(row)

    def values_of(self, row: Row) -> tuple[Any, ...]:
        """The row's values in column order, as held."""
        return self._values_getter(row)

    def encode(self, row: Row) -> tuple[Any, ...]:
        """The row as SQL parameters (bools as 0/1, json as text)."""
        values = self._values_getter(row)
        if not self._conversions:
            return values
        stored = list(values)
        for position, convert in self._conversions:
            stored[position] = convert(stored[position])
        return tuple(stored)

    @cached_property
    def _defaults(self) -> Row:
        return {column: _DEFAULTS[kind] for column, kind in self.types.items()}

    @cached_property
    def _key_getter(self) -> Callable[[Row], Key]:
        return _tuple_getter(self.key)

    @cached_property
    def _values_getter(self) -> Callable[[Row], tuple[Any, ...]]:
        return _tuple_getter(self.columns)

    @cached_property
    def _conversions(self) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The position and conversion of each column stored otherwise than held."""
        return tuple((position, _STORED[kind]) for position, kind in enumerate(self.types.values())
                     if kind in _STORED)

    def decode(self, values: Iterable[Any]) -> Row:
        row = dict(zip(self.columns, values, strict=True))
        for column, kind in self._decoded:
            row[column] = _decode(kind, row[column])
        return row

    @cached_property
    def _decoded(self) -> tuple[tuple[str, str], ...]:
        """The columns read back otherwise than stored: text needs nothing (reports decode
        thousands of rows per request)."""
        return tuple((c, kind) for c, kind in self.types.items() if kind != "text")


def _tuple_getter(columns: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """A fast `lambda row: tuple(row[c] for c in columns)` (itemgetter of one name returns the
    bare value, not a 1-tuple)."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)


def _split(spec: str) -> tuple[str, str]:
    name, _, kind = spec.partition(":")
    return name, kind or "text"


def _stored_bool(value: Any) -> int:
    return int(bool(value))


def _stored_json(value: Any) -> str | None:
    return None if value is None else _JSON_TEXT(value)


_JSON_TEXT = json.JSONEncoder(sort_keys=True).encode  # what json.dumps(v, sort_keys=True) makes
_STORED: dict[str, Callable[[Any], Any]] = {"bool": _stored_bool, "json": _stored_json}


def _decode(kind: str, value: Any) -> Any:
    if kind == "bool":
        return bool(value)
    if kind == "json":
        return None if value is None else json.loads(value)
    if kind == "int":
        return int(value or 0)
    return value


@dataclass(frozen=True)
class Range:
    """An inclusive range filter for `Reader.many`; either end may be open."""

    low: Any = None
    high: Any = None

    def __contains__(self, value: Any) -> bool:
        if value is None:
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


class Reader(Protocol):
    """What report queries read: the same over live SQL tables and in-memory replays."""

    def one(self, table: Table, *key: Any) -> Row | None: ...

    def many(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
             order: tuple[tuple[str, bool], ...] = (), limit: int | None = None,
             after: Key | None = None) -> list[Row]: ...

    def stream(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
               order: tuple[tuple[str, bool], ...] = ()) -> Iterator[Row]: ...

    def sums(self, table: Table, conference: str, *columns: str, by: str,
             where: dict[str, Any] | None = None) -> dict[Any, dict[str, int]]: ...

    def top_sums(self, table: Table, conference: str, value: str, count: str,
                 *tops: int) -> list[int]:
        """For each of `tops`: Σ `value` over that many of the most valuable units, where each
        row stands for `count` units worth its `value`."""


class Dirty(NamedTuple):
    """What changed in a table since the last `take_dirty`: rows storage has never held (to
    insert), the other changed rows (to upsert), and the keys of stored rows deleted."""

    new: list[Row]
    changed: list[Row]
    deleted: list[Key]


class Rows:
    """The rows of a set of tables, in memory, remembering which keys changed since `take_dirty`
    and which of them are new: made where no row was held or deleted since then. The live
    projector holds every row of its tables, so storage has no row at a new key either.

    Rows restored from a checkpoint stay the value lists it holds until first read, when each
    becomes a dict: a replay restores hundreds of thousands of rows and reads a few thousand.
    """

    def __init__(self) -> None:
        self._data: defaultdict[str, dict[Key, Row | list[Any]]] = defaultdict(dict)
        self._dirty: defaultdict[str, set[Key]] = defaultdict(set)
        self._new: defaultdict[str, set[Key]] = defaultdict(set)

    def _table(self, table: Table) -> dict[Key, Row | list[Any]]:
        return self._data[table.name]

    def _thawed(self, table: Table, key: Key, values: list[Any]) -> Row:
        """The row restored as `values` at `key`, made a dict in place on first read."""
        row = self._data[table.name][key] = dict(zip(table.columns, values, strict=True))
        return row

    def _rows(self, table: Table) -> Iterable[Row]:
        """Every row of `table`, as dicts."""
        data = self._table(table)
        for key in [key for key, row in data.items() if type(row) is list]:
            self._thawed(table, key, data[key])  # type: ignore[arg-type]
        return data.values()  # type: ignore[return-value]  # no list is left

    # Writing (projections) --------------------------------------------------------------------

    def get(self, table: Table, *key: Any) -> Row | None:
        row = self._data[table.name].get(key)
        if type(row) is list:  # restored from a checkpoint, not read yet
            return self._thawed(table, key, row)
        return row  # type: ignore[return-value]  # a dict or None

    def put(self, table: Table, row: Row) -> Row:
        key = table.key_of(row)
        data, dirty = self._data[table.name], self._dirty[table.name]
        if key not in data and key not in dirty:  # see `_held`
            self._new[table.name].add(key)
        data[key] = row
        dirty.add(key)
        return row

    def upsert(self, table: Table, *key: Any, **values: Any) -> Row:
        """Set `values` (never key columns) on the row at `key`, creating it with defaults if
        absent."""
        row = self._held(table, key)
        row.update(values)
        return row

    def add(self, table: Table, *key: Any, **deltas: int) -> Row:
        """Add `deltas` to the row's counters, creating it with zeros if absent."""
        row = self._held(table, key)
        for column, delta in deltas.items():
            row[column] += delta
        return row

    def _held(self, table: Table, key: Key) -> Row:
        """The row at `key` (a blank one stored if absent), marked changed. A row made where
        none is held is new, unless a stored row was deleted there since `take_dirty` (storage
        holds it until the flush); made again after a new one was deleted, it is new still."""
        data, dirty = self._data[table.name], self._dirty[table.name]
        row = data.get(key)
        if row is None:
            row = data[key] = table.blank(key)
            if key not in dirty:
                self._new[table.name].add(key)
        elif type(row) is list:  # restored from a checkpoint, not read yet
            row = self._thawed(table, key, row)
        dirty.add(key)
        return row  # type: ignore[return-value]  # a dict by now

    def delete(self, table: Table, *key: Any) -> None:
        if self._data[table.name].pop(key, None) is not None:
            self._dirty[table.name].add(key)

    def load(self, table: Table, rows: Iterable[Row]) -> None:
        """Fill a table from storage (not marked dirty)."""
        data = self._table(table)
        for row in rows:
            data[table.key_of(row)] = row

    def restore(self, table: Table, present: Iterable[list[Any]], absent: Iterable[Key]) -> None:
        """Apply a checkpoint's rows of `table` (not marked dirty): value lists in column order,
        key columns first, kept as they are until read; and the full keys of rows now absent."""
        data = self._table(table)
        width = len(table.key)
        for values in present:
            data[tuple(values[:width])] = values
        for key in absent:
            data.pop(key, None)

    def clear(self, table: Table) -> None:
        self._data.pop(table.name, None)
        self._dirty.pop(table.name, None)
        self._new.pop(table.name, None)

    def take_dirty(self, table: Table) -> Dirty:
        """What changed since last time, each key looked up once (the tables are large)."""
        new = self._new.pop(table.name, set())
        taken = Dirty([], [], [])
        for key in self._dirty.pop(table.name, ()):
            row = self.get(table, *key)
            if row is None:
                if key not in new:  # (a row made and deleted since is not stored)
                    taken.deleted.append(key)
            else:
                (taken.new if key in new else taken.changed).append(row)
        return taken

    def rows_at(self, table: Table, keys: Iterable[Key]) -> tuple[list[Row], list[Key]]:
        """The rows held at `keys`, and the keys no row is held at."""
        found, absent = [], []
        for key in keys:  # one look-up each: the tables are large
            row = self.get(table, *key)
            if row is None:
                absent.append(key)
            else:
                found.append(row)
        return found, absent

    def changed(self, table: Table) -> frozenset[Key]:
        """The keys changed or deleted since `take_dirty`, left in place (for checkpoints)."""
        return frozenset(self._dirty.get(table.name, ()))

    def keys(self, table: Table) -> list[Key]:
        """Every key of `table` held now."""
        return list(self._table(table))

    # Reading (reports over replays) -----------------------------------------------------------

    def one(self, table: Table, *key: Any) -> Row | None:
        row = self.get(table, *key)
        return None if row is None else dict(row)

    def many(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
             order: tuple[tuple[str, bool], ...] = (), limit: int | None = None,
             after: Key | None = None) -> list[Row]:
        found = list(self.stream(table, conference, where=where, order=order))
        if after is not None:
            order = order or tuple((c, False) for c in table.key[1:])
            found = [r for r in found if _is_after(r, order, after)]
        return found[:limit] if limit is not None else found

    def stream(self, table: Table, conference: str, *, where: dict[str, Any] | None = None,
               order: tuple[tuple[str, bool], ...] = ()) -> Iterator[Row]:
        conditions = dict(where or {})
        found = [dict(r) for r in self._candidates(table, conference, conditions)
                 if r["conference"] == conference
                 and all(_matches(r[c], v) for c, v in conditions.items())]
        for column, descending in reversed(order or tuple((c, False) for c in table.key[1:])):
            found.sort(key=partial(_sort_key, column), reverse=descending)
        return iter(found)

    def _candidates(self, table: Table, conference: str, where: dict[str, Any]) -> Iterable[Row]:
        """The rows `where` may match: looked up when it names the value (or values) of every
        key column, so that a few orders are found without reading a hundred thousand."""
        keys = _keys_named(table, conference, where)
        if keys is None:
            return self._rows(table)
        return [row for key in keys if (row := self.get(table, *key)) is not None]

    def sums(self, table: Table, conference: str, *columns: str, by: str,
             where: dict[str, Any] | None = None) -> dict[Any, dict[str, int]]:
        """Σ each of `columns` over the matching rows, per value of `by` (values without rows
        absent)."""
        found: dict[Any, dict[str, int]] = {}
        for row in self.stream(table, conference, where=where, order=((by, False),)):
            totals = found.setdefault(row[by], dict.fromkeys(columns, 0))
            for column in columns:
                totals[column] += row[column]
        return found

    def top_sums(self, table: Table, conference: str, value: str, count: str,
                 *tops: int) -> list[int]:
        ranked = list(self.stream(table, conference, order=((value, True),)))
        return [top_sum(ranked, value, count, top) for top in tops]


def top_sum(ranked: list[Row], value: str, count: str, top: int) -> int:
    """Σ `value` over the first `top` units of `ranked` rows (each `count` units): whole rows,
    then part of the last one."""
    total = 0
    for row in ranked:
        if not top:
            break
        taken = min(top, row[count])
        total += taken * row[value]
        top -= taken
    return total


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, Range):
        return value in wanted
    if isinstance(wanted, COLLECTIONS):
        return value in wanted
    return bool(value == wanted)


def _keys_named(table: Table, conference: str, where: dict[str, Any]) -> list[Key] | None:
    """Every key `where` allows, when it names the value or values of each key column."""
    choices: list[Collection[Any]] = []
    for column in table.key[1:]:
        wanted = where.get(column, Range())
        if isinstance(wanted, Range):
            return None
        choices.append(wanted if isinstance(wanted, COLLECTIONS) else (wanted,))
    return list(dict.fromkeys(itertools.product((conference,), *choices)))


def _is_after(row: Row, order: tuple[tuple[str, bool], ...], after: Key) -> bool:
    """True when `row` sorts strictly after the keyset position `after` in `order`."""
    for (column, descending), mark in zip(order, after, strict=False):
        value = row[column]
        if value != mark:
            return (value < mark) if descending else (value > mark)
    return False


def _sort_key(column: str, row: Row) -> tuple[int, Any]:
    return _sortable(row[column])


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)
