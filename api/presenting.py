"""Report bodies as things a page shows: key figures and tables of display text.

The templates hold no arithmetic and no formatting: every value arrives here as the report's JSON
gave it (money and rates as decimal strings, counts as ints) and leaves as text with digit
grouping, `Yes`/`No` for booleans and a dash for nothing. Any body a report returns can be shown:
scalars become key figures, lists of objects and objects of objects become tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WIDE_COLUMNS = 5
_WORDS = {"aov": "AOV", "id": "ID", "po": "PO", "pos": "POs", "roi": "ROI", "pct": "%",
          "utm": "UTM", "csv": "CSV"}
# Maps a column to the link its cell drills down to (None: no link for this row).
Links = Mapping[str, Callable[[dict[str, Any]], str | None]]


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, whether it is a number, where it links, whether it may wrap."""

    text: str
    numeric: bool = False
    href: str | None = None
    nowrap: bool = False

    @property
    def css(self) -> str:
        return " ".join(name for name, on in (("num", self.numeric), ("nowrap", self.nowrap))
                        if on)


@dataclass(frozen=True)
class Figures:
    """Key figures: label/value pairs shown as cards."""

    title: str
    items: list[tuple[str, str]]
    kind: str = "figures"

    @property
    def wide(self) -> bool:
        return len(self.items) > WIDE_COLUMNS


@dataclass(frozen=True)
class Grid:
    """A table: headers, and rows of cells."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]
    numeric: list[bool] = field(default_factory=list)
    kind: str = "grid"

    @property
    def wide(self) -> bool:
        """Tables of many columns take the page's whole width."""
        return len(self.headers) > WIDE_COLUMNS


Section = Figures | Grid


def label(name: str) -> str:
    """`ticket_type` → "Ticket type", `po_revenue` → "PO revenue", `roi_pct` → "ROI %"."""
    words = [_WORDS.get(word, word) for word in str(name).replace("-", "_").split("_") if word]
    if not words:
        return ""
    first = words[0] if words[0] in _WORDS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def is_number(value: Any) -> bool:
    """An int (not a bool) or a decimal string such as money or a rate."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and bool(_DECIMAL.match(value)))


def text(value: Any, name: str = "") -> str:
    """A value as display text; rates (`*_rate`, `*_pct`) get a percent sign."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        shown = f"{value:,}"
    elif isinstance(value, str) and _DECIMAL.match(value):
        shown = f"{Decimal(value):,}"
    elif isinstance(value, (list, tuple)):
        return ", ".join(text(item) for item in value) or "—"
    elif isinstance(value, dict):
        return ", ".join(f"{label(k)}: {text(v, k)}" for k, v in value.items()) or "—"
    elif isinstance(value, str) and (moment := _MOMENT.match(value)):
        day, minute, offset = moment.groups()
        return f"{day} {minute} {'UTC' if offset in ('Z', '+00:00') else offset}"
    else:
        return str(value)
    return f"{shown} %" if _is_rate(name) else shown


def _is_rate(name: str) -> bool:
    return name.endswith(("_rate", "_pct")) or name in ("rate", "pct")


def grid(title: str, rows: list[dict[str, Any]], links: Links | None = None) -> Grid:
    """A table of row objects, columns in the order of the first row's keys."""
    columns = list(rows[0]) if rows else []
    numeric = [any(is_number(r.get(c)) for r in rows)
               and all(is_number(r.get(c)) or r.get(c) is None for r in rows) for c in columns]
    body = [[Cell(text(row.get(c), c), numeric[i], _link(links, c, row), _unbroken(c, row.get(c)))
             for i, c in enumerate(columns)] for row in rows]
    return Grid(title, [label(c) for c in columns], body, numeric)


def _unbroken(column: str, value: Any) -> bool:
    """Ids, dates and times read badly broken over two lines."""
    return column.endswith("_id") or (isinstance(value, str) and bool(
        _MOMENT.match(value) or _DAY.match(value)))


def _link(links: Links | None, column: str, row: dict[str, Any]) -> str | None:
    make = (links or {}).get(column)
    return make(row) if make is not None else None


def keyed_grid(title: str, name: str, entries: dict[str, Any]) -> Grid:
    """A table of an object of objects (`by_status: {paid: {count, total}}`), keys first."""
    key = label(name.split("_by_")[-1].removeprefix("by_")) or "Item"
    return grid(title, [{key: k, **(v if isinstance(v, dict) else {"value": v})}
                        for k, v in entries.items()])


def figures(title: str, values: dict[str, Any]) -> Figures:
    return Figures(title, [(label(k), text(v, k)) for k, v in values.items()])


def sections(body: dict[str, Any], *, rows: list[dict[str, Any]] | None = None,
             links: Links | None = None, skip: frozenset[str] = frozenset(),
             title: str = "Key figures") -> list[Section]:
    """Everything of a report body worth showing, key figures first, then tables.

    `rows` replaces `body["rows"]` (a page of them); `links` turn those rows' cells into links.
    """
    shown = {k: v for k, v in body.items() if k not in skip}
    scalars = {k: v for k, v in shown.items() if not isinstance(v, (dict, list))}
    found: list[Section] = [figures(title, scalars)] if scalars else []
    for name, value in shown.items():
        if name == "rows":
            found.append(grid("Rows", body["rows"] if rows is None else rows, links))
        elif isinstance(value, dict):
            found.extend(_object_sections(label(name), name, value))
        elif isinstance(value, list):
            found.append(_list_section(label(name), value))
    return found


def _object_sections(title: str, name: str, value: dict[str, Any]) -> list[Section]:
    if value and all(isinstance(v, dict) for v in value.values()):
        return [keyed_grid(title, name, value)]
    plain = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
    nested = [(k, v) for k, v in value.items() if isinstance(v, (dict, list))]
    found: list[Section] = [figures(title, plain)] if plain else []
    for key, inner in nested:
        inner_title = f"{title}: {label(key)}"
        found.extend(_object_sections(inner_title, key, inner) if isinstance(inner, dict)
                     else [_list_section(inner_title, inner)])
    return found


def _flattened(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups of rows (`[{label, conditions: [{...}]}]`) as one row per inner row, each led by
    its group's other values; other lists are returned as they are."""
    nested = next((key for key, inner in (items[0].items() if items else ())
                   if isinstance(inner, list) and inner and isinstance(inner[0], dict)), None)
    if nested is None:
        return items
    return [{**{k: v for k, v in item.items() if k != nested}, **inner}
            for item in items for inner in item[nested]]


def _list_section(title: str, value: list[Any]) -> Section:
    if all(isinstance(item, dict) for item in value):
        return grid(title, _flattened(value))
    return Figures(title, [(str(i + 1), text(item)) for i, item in enumerate(value)])
