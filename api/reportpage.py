"""A report's page: its filters as a form, a page of its table, its charts and its CSV link.

The page reads the very body the JSON API answers (`api.reporting.prepare`), so the page and the
API cannot disagree. Long tables are shown a page at a time (`page`, a page-only parameter that
never reaches the report); reports that page themselves (`limit` + `cursor`) keep doing so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from api.charts import Spec, numbered
from api.presenting import Links, Section, label, sections
from api.report_charts import charts_for
from ledger.credits import STATUSES as CREDIT_STATUSES
from ledger.purchase_orders import STATUSES as PO_STATUSES
from projections.reports import Report

PAGE_SIZE = 50
PAGE_ONLY = ("page",)
# The report's own paging: a changed filter starts again from the first page.
FORM_SKIPS = ("cursor",)
CHOICES: dict[str, tuple[str, ...]] = {
    "period": ("day", "week", "month"), "checked_in": ("yes", "no"), "completed": ("yes", "no")}
REPORT_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("credits", "status"): CREDIT_STATUSES, ("purchase-orders", "status"): PO_STATUSES}
DATES = ("date_from", "date_until")
REPLAY_FILTERS = ("as_of", "known_at")
DAILY_REPORTS = ("sales", "aov", "cumulative-revenue", "revenue-by-ticket-type")


@dataclass(frozen=True)
class Field:
    """One input of a report's filter form."""

    name: str
    label: str
    kind: str  # date | select | number | text
    value: str
    options: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Pager:
    """Where the rows shown sit, and links (label, href) to the pages around them."""

    summary: str
    links: list[tuple[str, str]]


@dataclass(frozen=True)
class ReportPage:
    title: str
    fields: list[Field]
    sections: list[Section]
    charts: list[Spec]
    pager: Pager | None
    csv_href: str | None
    reset_href: str


def filter_fields(report: Report, params: dict[str, str], *, auditor: bool) -> list[Field]:
    """The form of a report's filters (and, for auditors, as-of / known-at)."""
    names = [n for n in report.filters if n not in FORM_SKIPS]
    names += list(REPLAY_FILTERS) if auditor else []
    return [_field(report.name, name, params.get(name, "")) for name in names]


def _field(report: str, name: str, value: str) -> Field:
    options = REPORT_CHOICES.get((report, name)) or CHOICES.get(name)
    if options:
        return Field(name, label(name), "select", value, options)
    if name in DATES:
        return Field(name, label(name), "date", value)
    if name == "limit":
        return Field(name, label(name), "number", value)
    if name in REPLAY_FILTERS:
        return Field(name, label(name), "text", value,
                     hint="a date (its end) or an RFC 3339 time with offset")
    return Field(name, label(name), "text", value)


def query(params: dict[str, str], **changes: str | None) -> str:
    """`params` with `changes` applied (None drops a parameter) as a query string."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else ""


def page_of(rows: list[dict[str, Any]], params: dict[str, str], page: int,
            base: str) -> tuple[list[dict[str, Any]], Pager | None]:
    """One page of `rows` and the links to the pages around it (None when one page holds all)."""
    if len(rows) <= PAGE_SIZE:
        return rows, None
    pages = -(-len(rows) // PAGE_SIZE)
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    shown = rows[start:start + PAGE_SIZE]
    summary = f"Rows {start + 1:,}–{start + len(shown):,} of {len(rows):,}"
    links = [(name, base + query(params, page=str(number))) for name, number, shown_if in (
        ("First page", 1, page > 2), ("Previous page", page - 1, page > 1),
        ("Next page", page + 1, page < pages), ("Last page", pages, page < pages - 1))
        if shown_if]
    return shown, Pager(summary, links)


def cursor_pager(body: dict[str, Any], params: dict[str, str], base: str) -> Pager | None:
    """Links for a report that pages itself with `next_cursor`."""
    following = body.get("next_cursor")
    if following is None and "cursor" not in params:
        return None
    links = [("First page", base + query(params, cursor=None))] if "cursor" in params else []
    if following:
        links.append(("Next page", base + query(params, cursor=str(following))))
    return Pager(f"{len(body.get('rows', [])):,} rows on this page", links)


def drill_downs(slug: str, name: str, params: dict[str, str], *,
                auditor: bool) -> Links:
    """Where a person clicks through: a day of sales → its orders → an order's history."""
    links: dict[str, Any] = {}
    if name in DAILY_REPORTS and params.get("period", "day") == "day":
        links["date"] = lambda row: f"/manage/{slug}/reports/orders/" + query(
            {"date_from": row["date"], "date_until": row["date"]})
    if name == "orders" and auditor:
        links["order_id"] = lambda row: f"/manage/{slug}/history/order/{row['order_id']}/"
    return links


def build_page(report: Report, body: dict[str, Any], *, slug: str, params: dict[str, str],
               page: int, may_export: bool, auditor: bool) -> ReportPage:
    """Everything the report template shows, computed here so the template only lays it out."""
    base = f"/manage/{slug}/reports/{report.name}/"
    rows = body.get("rows")
    pager: Pager | None = cursor_pager(body, params, base)
    if isinstance(rows, list) and pager is None:
        rows, pager = page_of(rows, params, page, base)
    links = drill_downs(slug, report.name, params, auditor=auditor)
    csv_href = (f"/manage/{slug}/reports/{report.name}.csv{query(params)}"
                if may_export else None)
    return ReportPage(label(report.name), filter_fields(report, params, auditor=auditor),
                      sections(body, rows=rows if isinstance(rows, list) else None,
                               links=links, skip=frozenset({"next_cursor"})),
                      numbered(charts_for(report.name, body)), pager, csv_href, base)
