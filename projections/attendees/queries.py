"""The attendee manifest (filtered, paged by keyset) and the daily registration flow.

`attendee_summary()` and `attendee_count()` are THE attendee numbers: ROI and the budget divide by
`attendee_count()`, dashboards show the summary. Pages follow attendee ids, so page N costs the
same as page 1 (see `projections.paging`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from projections.attendees.projection import ATTENDEES, FLOW, PRODUCTS, TOTALS
from projections.paging import read_page
from projections.reports import Body, Context, Report, key, register, yes_no
from projections.tables import Reader, Row

BY_ID = (("attendee_id", False),)


def attendee_summary(reader: Reader, context: Context) -> dict[str, int]:
    """{total, checked_in, completed} over the whole conference."""
    row = reader.one(TOTALS, context.conference) or TOTALS.blank((context.conference,))
    return {name: row[name] for name in ("total", "checked_in", "completed")}


def attendee_count(reader: Reader, context: Context) -> int:
    """The number of registered attendees."""
    return attendee_summary(reader, context)["total"]


def _where(reader: Reader, context: Context) -> dict[str, Any]:
    """The table conditions of the `ticket_type`, `checked_in` and `completed` filters."""
    where: dict[str, Any] = {}
    for name in ("checked_in", "completed"):
        answer = context.choice(name, ("yes", "no"))
        if answer is not None:
            where[name] = answer == "yes"
    ticket_type = context.params.get("ticket_type")
    if ticket_type is not None:
        where["ticket"] = [product["product_id"] for product in
                           reader.many(PRODUCTS, context.conference, where={"name": ticket_type})]
    return where


def _ticket_names(reader: Reader, context: Context) -> dict[str, str]:
    return {p["product_id"]: p["name"] for p in reader.many(PRODUCTS, context.conference)}


def _attendee(row: Row, names: dict[str, str]) -> dict[str, Any]:
    return {"attendee_id": row["attendee_id"], "customer_id": row["customer_id"],
            "name": row["name"], "email": row["email"], "ticket_type": names.get(row["ticket"]),
            "checked_in_at": row["checked_in_at"], "access_code": row["access_code"],
            "completed_registration": row["completed"]}


def build_attendees(reader: Reader, context: Context) -> Body:
    """One page of attendees by id, `next_cursor` for the next (null on the last page)."""
    page = read_page(reader, ATTENDEES, context, kind="attendee", order=BY_ID,
                     where=_where(reader, context))
    names = _ticket_names(reader, context)
    return {"rows": [_attendee(row, names) for row in page.rows],
            "next_cursor": page.next_cursor, "summary": attendee_summary(reader, context)}


def attendee_csv_rows(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
    """Every attendee matching the filters, streamed (paging parameters do not apply)."""
    where, names = _where(reader, context), _ticket_names(reader, context)
    return (_attendee(row, names)
            for row in reader.stream(ATTENDEES, context.conference, where=where, order=BY_ID))


def build_flow(reader: Reader, context: Context) -> Body:
    """Registrations and cancellations per day in the date range; days with neither omitted."""
    days = reader.many(FLOW, context.conference, where={"day": context.days})
    return {"rows": [{"date": day["day"], "registrations": day["registrations"],
                      "cancellations": day["cancellations"],
                      "net": day["registrations"] - day["cancellations"]} for day in days]}


register(Report("attendees", ("attendees",), build_attendees, (
    ("Username", key("customer_id")), ("Email", key("email")), ("Full Name", key("name")),
    ("Ticket Type", key("ticket_type")), ("Check-in Time", key("checked_in_at")),
    ("Access Code", key("access_code")),
    ("Completed Registration", yes_no("completed_registration"))),
    csv_rows=attendee_csv_rows,
    filters=("ticket_type", "checked_in", "completed", "limit", "cursor")))
register(Report("flow", ("attendees",), build_flow, (
    ("Date", key("date")), ("Registrations", key("registrations")),
    ("Cancellations", key("cancellations")), ("Net", key("net"))),
    filters=("date_from", "date_until")))
