"""Keyset pages of a report's rows: `limit` (default 100, at most 1000) and an opaque `cursor`.

A report whose rows grow with the conference (attendees, orders, credits, speakers, purchase
orders) answers one page at a time, with `next_cursor` for the next page (null on the last). The
cursor holds the last row's sort values, so page N costs one index walk like page 1; a row added
before the cursor's position never shows up twice. The cursor is opaque to callers and names the
report's order, so a forged, damaged or foreign one is a filter error. CSV exports do not page:
they stream every row.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from projections.reports import Context, FilterError
from projections.tables import Reader, Row, Table

Order = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Page:
    """The rows of one page and the cursor of the next (None on the last page)."""

    rows: list[Row]
    next_cursor: str | None


def read_page(reader: Reader, table: Table, context: Context, *, kind: str, order: Order,
              where: dict[str, Any] | None = None) -> Page:
    """The page of `table`'s rows in `order` that `limit` and `cursor` ask for."""
    limit = context.integer("limit", 100, 1, 1000)
    cursor = context.params.get("cursor")
    after = _after(cursor, kind, len(order)) if cursor else None
    found = reader.many(table, context.conference, where=where, order=order, limit=limit + 1,
                        after=after)
    rows = found[:limit]
    following = _cursor(kind, [rows[-1][c] for c, _ in order]) if len(found) > limit else None
    return Page(rows, following)


def _cursor(kind: str, values: list[Any]) -> str:
    text = json.dumps([kind, *values]).encode()
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def _after(cursor: str, kind: str, size: int) -> tuple[Any, ...]:
    """The sort values a cursor from `_cursor` points after."""
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                                validate=True)
        found = json.loads(text)
    except (ValueError, TypeError):
        found = None
    if not (isinstance(found, list) and len(found) == size + 1 and found[0] == kind
            and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in found[1:])):
        raise FilterError("cursor", "cursor is not one this report gave out")
    return tuple(found[1:])
