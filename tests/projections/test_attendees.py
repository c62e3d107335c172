"""The attendee manifest (filters, keyset pages, streamed CSV) and the registration flow."""

from __future__ import annotations

from typing import Any

import pytest

from projections.attendees.queries import attendee_count, attendee_summary
from projections.catalogue import reports
from projections.reports import FilterError
from projections.store import SqlReader
from tests.factories import (
    cancel_order,
    check_in,
    configure_conference,
    define_ticket,
    line,
    place_order,
    register_attendee,
)
from tests.projections.factories_people import complete_registration, expire_hold


def ids(body: dict[str, Any]) -> list[str]:
    return [row["attendee_id"] for row in body["rows"]]


@pytest.fixture
def manifest(books: Any) -> Any:
    """a1 (Individual, checked in, completed), a2 (Student after a T-Shirt line, completed),
    a3 (no order)."""
    books.record(configure_conference(), define_ticket(),
                 define_ticket(product_id="stu", name="Student", price="100.00"),
                 define_ticket(product_id="tee", name="T-Shirt", price="20.00", kind="addon"),
                 place_order(order_id="o1"),
                 place_order(order_id="o2", customer_id="cust-2", lines=[
                     line(product_id="tee", kind="addon", unit_price="20.00"),
                     line(product_id="stu", unit_price="100.00")]),
                 register_attendee(attendee_id="a1", order_id="o1", access_code="ACC-1"),
                 register_attendee(attendee_id="a2", customer_id="cust-2", order_id="o2",
                                   name="Alan Turing", email="alan@example.org"),
                 register_attendee(attendee_id="a3", customer_id="cust-3", name="Grace Hopper",
                                   email="grace@example.org"))
    books.record(check_in(attendee_id="a1", time="2026-10-14T13:00:00+00:00"),
                 complete_registration(attendee_id="a1"),
                 complete_registration(attendee_id="a2"))
    return books


def test_manifest_rows_name_the_first_ticket_and_the_summary_counts_everyone(manifest) -> None:
    body = manifest.report("attendees")
    assert body["rows"][0] == {
        "attendee_id": "a1", "customer_id": "cust-1", "name": "Ada Lovelace",
        "email": "ada@example.org", "ticket_type": "Individual",
        "checked_in_at": "2026-10-14T13:00:00+00:00", "access_code": "ACC-1",
        "completed_registration": True}
    # a2's first line is an add-on, so its ticket is the Student line; a3 has no order
    assert [row["ticket_type"] for row in body["rows"]] == ["Individual", "Student", None]
    assert body["summary"] == {"total": 3, "checked_in": 1, "completed": 2}
    assert body["next_cursor"] is None
    reader, context = SqlReader(manifest.store.database), manifest.context()
    assert attendee_summary(reader, context) == body["summary"]
    assert attendee_count(reader, context) == 3


def test_manifest_filters_by_ticket_type_check_in_and_completion(manifest) -> None:
    assert ids(manifest.report("attendees", checked_in="yes")) == ["a1"]
    assert ids(manifest.report("attendees", checked_in="no")) == ["a2", "a3"]
    assert ids(manifest.report("attendees", completed="no")) == ["a3"]
    assert ids(manifest.report("attendees", ticket_type="Student")) == ["a2"]
    assert ids(manifest.report("attendees", ticket_type="Student", checked_in="yes")) == []
    assert ids(manifest.report("attendees", ticket_type="Nobody's")) == []
    # The summary stays the whole conference's whatever the filters
    assert manifest.report("attendees", completed="no")["summary"]["total"] == 3
    # A renamed ticket type shows, and filters, by its new name
    manifest.record(define_ticket(product_id="stu", name="Student (verified)", price="100.00"))
    assert ids(manifest.report("attendees", ticket_type="Student (verified)")) == ["a2"]


@pytest.mark.parametrize("params", [{"checked_in": "maybe"}, {"completed": "true"},
                                    {"limit": "0"}, {"limit": "1001"},
                                    {"cursor": "not-a-cursor"}, {"cursor": "WyJ4IiwgMV0"}])
def test_malformed_manifest_filters_are_rejected(manifest, params: dict[str, str]) -> None:
    with pytest.raises(FilterError) as raised:
        manifest.report("attendees", **params)
    assert raised.value.parameter == next(iter(params))


def test_manifest_pages_by_attendee_id_across_three_pages(books) -> None:
    # Given five attendees registered out of id order
    books.record(configure_conference(), *(register_attendee(attendee_id=f"att{n}")
                                           for n in (4, 2, 5, 1, 3)))
    # When read two at a time, each page continues after the last id of the one before
    first = books.report("attendees", limit="2")
    second = books.report("attendees", limit="2", cursor=first["next_cursor"])
    third = books.report("attendees", limit="2", cursor=second["next_cursor"])
    # Then 2 + 2 + 1 attendees, in id order, and the last page has no next cursor
    assert [ids(first), ids(second), ids(third)] == [["att1", "att2"], ["att3", "att4"],
                                                     ["att5"]]
    assert third["next_cursor"] is None
    # And a registration after the cursor's id shows up on the later page, not twice
    books.record(register_attendee(attendee_id="att6"))
    assert ids(books.report("attendees", limit="2", cursor=second["next_cursor"])) == [
        "att5", "att6"]


def test_manifest_csv_streams_every_filtered_attendee_with_django_program_columns(
        manifest) -> None:
    report = reports()["attendees"]
    context = manifest.context(completed="yes", limit="1")
    rows = report.rows_for_csv(SqlReader(manifest.store.database), context)
    # Then paging does not cut the export short, and the filter applies
    assert [[cell(row) for _, cell in report.columns] for row in rows] == [
        ["cust-1", "ada@example.org", "Ada Lovelace", "Individual",
         "2026-10-14T13:00:00+00:00", "ACC-1", "Yes"],
        ["cust-2", "alan@example.org", "Alan Turing", "Student", None, None, "Yes"]]
    assert [header for header, _ in report.columns] == [
        "Username", "Email", "Full Name", "Ticket Type", "Check-in Time", "Access Code",
        "Completed Registration"]


def test_flow_counts_registrations_and_cancellations_by_day_in_conference_timezone(
        books) -> None:
    # Given a New York conference
    books.record(configure_conference(), define_ticket(),
                 place_order(order_id="o1", hold_expires_at="2026-10-03T14:00:00+00:00"),
                 place_order(order_id="o2"))
    # When a1 registers on Oct 1, a2 at 02:00 UTC Oct 3 (still Oct 2 in New York),
    # o2 is cancelled on Oct 2 and o1's hold expires on Oct 3
    books.record(register_attendee(attendee_id="a1", time="2026-10-01T14:00:00+00:00"),
                 register_attendee(attendee_id="a2", time="2026-10-03T02:00:00+00:00"),
                 cancel_order(order_id="o2", time="2026-10-02T12:00:00+00:00"),
                 expire_hold(order_id="o1", time="2026-10-03T15:00:00+00:00"))
    # Then Oct 1: +1, Oct 2: +1 −1 = 0, Oct 3: −1
    assert books.report("flow")["rows"] == [
        {"date": "2026-10-01", "registrations": 1, "cancellations": 0, "net": 1},
        {"date": "2026-10-02", "registrations": 1, "cancellations": 1, "net": 0},
        {"date": "2026-10-03", "registrations": 0, "cancellations": 1, "net": -1}]
    # And the date filters keep the days in range
    assert [row["date"] for row in books.report("flow", date_from="2026-10-02",
                                                date_until="2026-10-02")["rows"]] == [
        "2026-10-02"]
    with pytest.raises(FilterError):
        books.report("flow", date_from="02/10/2026")
