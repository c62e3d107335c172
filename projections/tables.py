"""Read-model tables and the in-memory row set every projection writes to.

A projection never talks SQL. It reads and writes rows of its own tables in a `Rows` set; the live
store persists the changed rows (with the projector's position, in one transaction) and the as-of
replay simply keeps them in memory. One projection code path therefore serves both, and reports
read either through the same `Reader` interface.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Protocol

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
        row = {column: _DEFAULTS[kind] for column, kind in self.types.items()}
        row.update(zip(self.key, key, strict=True))
        return row

    def key_of(self, row: Row) -> Key:
        return tuple(row[column] for column in self.key)

    def encode(self, row: Row) -> tuple[Any, ...]:
        """The row as SQL parameters (bools as 0/1, json as text)."""
        if not self._converted:
            return tuple(row[c] for c in self.columns)
        return tuple(_encode(kind, row[c]) for c, kind in self._typed)

    @cached_property
    def _typed(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.types.items())

    @cached_property
    def _converted(self) -> bool:
        """True when some column is stored otherwise than held (bool or json)."""
        return any(kind in ("bool", "json") for kind in self.types.values())

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


def _split(spec: str) -> tuple[str, str]:
    name, _, kind = spec.partition(":")
    return name, kind or "text"


def _encode(kind: str, value: Any) -> Any:
    if kind == "bool":
        return int(bool(value))
    if kind == "json":
        return None if value is None else json.dumps(value, sort_keys=True)
    return value


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


class Rows:
    """The rows of a set of tables, in memory, remembering which keys changed since `take_dirty`.

    Rows restored from a checkpoint stay the value lists it holds until first read, when each
    becomes a dict: a replay restores hundreds of thousands of rows and reads a few thousand.
    """

    def __init__(self) -> None:
        self._data: dict[str, dict[Key, Row | list[Any]]] = {}
        self._dirty: dict[str, set[Key]] = {}

    def _table(self, table: Table) -> dict[Key, Row | list[Any]]:
        return self._data.setdefault(table.name, {})

    def _rows(self, table: Table) -> Iterable[Row]:
        """Every row of `table`, as dicts."""
        data = self._table(table)
        restored = [key for key, row in data.items() if isinstance(row, list)]
        for key in restored:
            data[key] = dict(zip(table.columns, data[key], strict=True))
        return data.values()  # type: ignore[return-value]  # no list is left

    # Writing (projections) --------------------------------------------------------------------

    def get(self, table: Table, *key: Any) -> Row | None:
        data = self._table(table)
        row = data.get(key)
        if isinstance(row, list):
            row = data[key] = dict(zip(table.columns, row, strict=True))
        return row

    def put(self, table: Table, row: Row) -> Row:
        key = table.key_of(row)
        self._table(table)[key] = row
        self._dirty.setdefault(table.name, set()).add(key)
        return row

    def upsert(self, table: Table, *key: Any, **values: Any) -> Row:
        """Set `values` on the row at `key`, creating it with defaults if absent."""
        row = self.get(table, *key) or table.blank(key)
        row.update(values)
        return self.put(table, row)

    def add(self, table: Table, *key: Any, **deltas: int) -> Row:
        """Add `deltas` to the row's counters, creating it with zeros if absent."""
        row = self.get(table, *key) or table.blank(key)
        for column, delta in deltas.items():
            row[column] += delta
        return self.put(table, row)

    def delete(self, table: Table, *key: Any) -> None:
        if self._table(table).pop(key, None) is not None:
            self._dirty.setdefault(table.name, set()).add(key)

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

    def take_dirty(self, table: Table) -> tuple[list[Row], list[Key]]:
        """The rows changed since last time (to upsert) and the keys deleted."""
        keys = self._dirty.pop(table.name, set())
        data = self._table(table)
        upserts = [data[k] for k in keys if k in data]  # `put` made each of them a dict
        return upserts, [k for k in keys if k not in data]  # type: ignore[return-value]

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
