"""The speaker registration report: speakers by name, a page at a time (`limit` + `cursor`, as
`attendees`; the CSV streams them all), and whether each has registered.

`speaker_summary()` is THE count of speakers and registered speakers (the dashboard shows it);
both it and each row's flag are kept by the projection, so no report recounts them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from projections.paging import read_page
from projections.reports import Body, Context, Report, key, register, yes_no
from projections.speakers.projection import SPEAKERS, TOTALS
from projections.tables import Reader, Row

BY_NAME = (("name", False), ("speaker_id", False))


def speaker_summary(reader: Reader, context: Context) -> dict[str, int]:
    """{total, registered, unregistered} over every speaker of the conference."""
    row = reader.one(TOTALS, context.conference) or TOTALS.blank((context.conference,))
    return {"total": row["total"], "registered": row["registered"],
            "unregistered": row["total"] - row["registered"]}


def _speaker(row: Row) -> dict[str, Any]:
    """A speaker; registered = their customer has a standing (sold, not fully refunded)
    order. A speaker without a customer id cannot have registered."""
    return {"speaker_id": row["speaker_id"], "name": row["name"], "email": row["email"],
            "talk_count": row["talk_count"], "registered": row["registered"]}


def build_speakers(reader: Reader, context: Context) -> Body:
    """One page of speakers by name, `next_cursor` for the next, and the summary."""
    page = read_page(reader, SPEAKERS, context, kind="speaker", order=BY_NAME)
    return {"rows": [_speaker(row) for row in page.rows], "next_cursor": page.next_cursor,
            "summary": speaker_summary(reader, context)}


def speaker_csv_rows(reader: Reader, context: Context) -> Iterator[dict[str, Any]]:
    """Every speaker by name, streamed (paging parameters do not apply)."""
    return (_speaker(row) for row in reader.stream(SPEAKERS, context.conference, order=BY_NAME))


register(Report("speakers", ("speakers",), build_speakers, (
    ("Name", key("name")), ("Email", key("email")), ("Talk Count", key("talk_count")),
    ("Registered", yes_no("registered"))),
    csv_rows=speaker_csv_rows, filters=("limit", "cursor")))
