"""The speaker registration report: every speaker by name, and whether they have registered."""

from __future__ import annotations

from projections.reports import Body, Context, Report, key, register, yes_no
from projections.speakers.projection import CUSTOMERS, SPEAKERS
from projections.tables import Range, Reader


def build_speakers(reader: Reader, context: Context) -> Body:
    """Speakers by name; registered = their customer has a standing (sold, not fully
    refunded) order. A speaker without a customer id cannot have registered."""
    speakers = reader.many(SPEAKERS, context.conference,
                           order=(("name", False), ("speaker_id", False)))
    customers = sorted({s["customer_id"] for s in speakers if s["customer_id"] is not None})
    standing = {c["customer_id"] for c in reader.many(
        CUSTOMERS, context.conference,
        where={"customer_id": customers, "standing": Range(1, None)})}
    rows = [{"speaker_id": s["speaker_id"], "name": s["name"], "email": s["email"],
             "talk_count": s["talk_count"], "registered": s["customer_id"] in standing}
            for s in speakers]
    registered = sum(1 for row in rows if row["registered"])
    return {"rows": rows, "summary": {"total": len(rows), "registered": registered,
                                      "unregistered": len(rows) - registered}}


register(Report("speakers", ("speakers",), build_speakers, (
    ("Name", key("name")), ("Email", key("email")), ("Talk Count", key("talk_count")),
    ("Registered", yes_no("registered")))))
