"""The report registry: what each report reads, how it is built, and its CSV columns.

A report is a function of a `Reader` (live tables or an in-memory replay) and a `Context` (the
conference, its currency and timezone, the filters). It never reads the event log. Reports that
show the same quantity call the same query function, so their numbers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger import money
from projections.tables import Range, Reader

Body = dict[str, Any]


class FilterError(ValueError):
    """Raised when a report filter is malformed (the API answers 422 naming the parameter)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Context:
    """Who a report is for: conference, money rules, filters and the moment it describes."""

    conference: str
    currency: str
    timezone: str
    now: datetime
    params: dict[str, str] = field(default_factory=dict)

    def money(self, minor: int) -> str:
        """Minor units as the wire string ("150.00")."""
        return money.minor_text(minor, self.currency)

    def amount(self, minor: int) -> Decimal:
        return money.from_minor(minor, self.currency)

    def average(self, minor: int, count: int) -> str:
        """`minor` / `count` as money, half up; "0.00" when there is nothing to divide by."""
        if not count:
            return self.money(0)
        return money.text(self.amount(minor) / count, self.currency)

    def day(self, name: str) -> str | None:
        """A `YYYY-MM-DD` parameter, validated."""
        value = self.params.get(name)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise FilterError(name, f"{name} must be a date YYYY-MM-DD")
        return parsed.isoformat()

    @property
    def days(self) -> Range:
        """The inclusive `date_from`..`date_until` range (open ends allowed)."""
        low, high = self.day("date_from"), self.day("date_until")
        if low and high and low > high:
            raise FilterError("date_from", "date_from is after date_until")
        return Range(low, high)

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.params.get(name, default)
        if value is not None and value not in allowed:
            raise FilterError(name, f"{name} must be one of {', '.join(allowed)}")
        return value

    def integer(self, name: str, default: int, low: int = 1, high: int = 10_000) -> int:
        value = self.params.get(name)
        if value is None:
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            raise FilterError(name, f"{name} must be a whole number from {low} to {high}")
        return int(value)


Column = tuple[str, Callable[[dict[str, Any]], Any]]


@dataclass(frozen=True)
class Report:
    """One report: its name, the read models it reads, its builder and its CSV layout."""

    name: str
    read_models: tuple[str, ...]
    build: Callable[[Reader, Context], Body]
    columns: tuple[Column, ...]
    csv_rows: Callable[[Reader, Context], Iterator[dict[str, Any]]] | None = None
    filters: tuple[str, ...] = ()
    role: str = "viewer"
    """The least role that may read it: the financial dashboard, purchase orders and the
    double-entry journal are for finance staff (contract §2)."""

    def rows_for_csv(self, reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
        """The rows a CSV export writes: streamed where the report says so, else `rows`."""
        if self.csv_rows is not None:
            return self.csv_rows(reader, context)
        return iter(self.build(reader, context).get("rows", []))


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    REPORTS[report.name] = report
    return report


def key(name: str) -> Callable[[dict[str, Any]], Any]:
    """A CSV column that reads `name` from the row."""
    return lambda row: row.get(name)


def yes_no(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: "Yes" if row.get(name) else "No"
