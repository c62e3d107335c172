"""How the money read models write effective times, count lines and summaries as CSV lines.

Times are stored as fixed-width UTC text (so they sort as strings on both databases) and shown in
the conference's timezone with its offset. A report without a table exports one `Metric, Value`
line per figure, nested keys joined by dots (`by_status.available`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from projections.reports import Body, Context, key
from projections.tables import Reader

Lines = Callable[[Reader, Context], Iterator[dict[str, Any]]]
METRIC_COLUMNS = (("Metric", key("metric")), ("Value", key("value")))


def stamp(moment: datetime) -> str:
    """`moment` as sortable UTC text ("2026-10-01T14:00:00.000000+00:00")."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def local_time(context: Context, stamped: str | None) -> str | None:
    """A stored stamp as ISO 8601 in the conference's timezone ("2026-10-01T10:00:00-04:00")."""
    if stamped is None:
        return None
    return datetime.fromisoformat(stamped).astimezone(ZoneInfo(context.timezone)).isoformat()


def count_line(context: Context, label: str, value: str,
               parts: list[tuple[int, int]]) -> dict[str, Any]:
    """{label: value, count, total} summed over (count, minor total) parts."""
    return {label: value, "count": sum(count for count, _ in parts),
            "total": context.money(sum(total for _, total in parts))}


def metric_lines(build: Callable[[Reader, Context], Body]) -> Lines:
    """CSV rows of a summary report: one {metric, value} per figure of its body."""
    def lines(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
        return _flatten("", build(reader, context))
    return lines


def _flatten(prefix: str, values: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for name, value in values.items():
        if isinstance(value, dict):
            yield from _flatten(f"{prefix}{name}.", value)
        else:
            yield {"metric": f"{prefix}{name}", "value": value}
