"""CSV exports: RFC 4180, UTF-8, streamed row by row, formula cells neutralised in one place."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from projections.reports import Column

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK_ROWS = 500


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return neutralise(", ".join(str(item) for item in value))
    return value


def _is_number(value: str) -> bool:
    """Negative money ("-12.00") is a number, not a formula."""
    try:
        float(value)
    except ValueError:
        return False
    return value.lstrip("-").replace(".", "", 1).isdigit()


def stream(columns: tuple[Column, ...], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then the rows, in chunks of text (memory stays flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _ in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(value(row)) for _, value in columns])
        if count % _CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
