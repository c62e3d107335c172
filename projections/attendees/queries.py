"""The attendee manifest (filtered, paged by keyset) and the daily registration flow.

`attendee_summary()` and `attendee_count()` are THE attendee numbers: ROI and the budget divide by
`attendee_count()`, dashboards show the summary. Pages follow attendee ids, so page N costs the
same as page 1; the cursor is opaque to callers and a forged or damaged one is a filter error.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from projections.attendees.projection import ATTENDEES, FLOW, PRODUCTS, TOTALS
from projections.reports import Body, Context, FilterError, Report, key, register, yes_no
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


def _cursor(attendee_id: str) -> str:
    text = json.dumps(["attendee", attendee_id]).encode()
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def _after(cursor: str) -> str:
    """The attendee id a cursor from `_cursor` points after."""
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                                validate=True)
        kind, attendee_id = json.loads(text)
    except (ValueError, TypeError):
        kind = attendee_id = None
    if kind != "attendee" or not isinstance(attendee_id, str):
        raise FilterError("cursor", "cursor is not one this report gave out")
    return attendee_id


def build_attendees(reader: Reader, context: Context) -> Body:
    """One page of attendees by id, `next_cursor` for the next (null on the last page)."""
    limit = context.integer("limit", 100, 1, 1000)
    cursor = context.params.get("cursor")
    after = (_after(cursor),) if cursor else None
    found = reader.many(ATTENDEES, context.conference, where=_where(reader, context),
                        order=BY_ID, limit=limit + 1, after=after)
    page = found[:limit]
    names = _ticket_names(reader, context)
    return {"rows": [_attendee(row, names) for row in page],
            "next_cursor": _cursor(page[-1]["attendee_id"]) if len(found) > limit else None,
            "summary": attendee_summary(reader, context)}


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
