"""Audit over the event log: as-of and known-at replays, the event log's pages and hash links,
entity histories with their state after each event, and chain verification that catches rows edited
directly in the database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from projections.audit import EventLog, chain_head, entity_history, event_page, verify_chain
from projections.catalogue import reports
from projections.eventlog.chain import GENESIS
from tests.factories import (
    configure_conference,
    define_ticket,
    define_voucher,
    issue_credit,
    line,
    pay,
    place_order,
    refund,
)
from tests.projections.factories_audit import Story, replayed
from tests.projections.factories_money import initiate_payment
from tests.projections.factories_people import sync_speaker

PHASE_TWO = "2026-10-10T12:00:00+00:00"


def test_report_as_of_a_past_date_equals_the_live_report_of_then(books) -> None:
    # Given a conference's first days (orders, payments, a refund, POs, a credit, an expense)
    story = Story("then")
    books.record(*story.opening(), slug="then")
    books.record(*story.batch([("pay", 0, 0, 1), ("pay", 1, 1, 2), ("refund", 0, 0, 1),
                               ("po_send", 0, 0, 1), ("po_pay", 0, 0, 2)]), slug="then")
    # And every report as it stood live when only those events existed
    then = {name: books.report(name, slug="then") for name in reports()}
    # When later events (all dated 10 October) are recorded
    later = story.batch([("pay", 2, 2, 1), ("refund", 1, 1, 2), ("po_note", 0, 0, 1),
                         ("expense", 0, 0, 2), ("goodwill", 0, 0, 1), ("order", 1, 1, 1)])
    books.record(*[{**event, "time": PHASE_TWO} for event in later], slug="then")
    assert books.report("trial-balance", slug="then") != then["trial-balance"]
    # Then every report as of 5 October equals what it said live back then
    as_of = datetime(2026, 10, 5, tzinfo=UTC)
    for name in reports():
        assert replayed(books, name, "then", as_of=as_of) == then[name], name


def test_known_at_excludes_a_back_dated_payment_recorded_later(books) -> None:
    # Given an order paid 100.00 on 1 October
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1", amount="100.00", payment_id="p1"))
    known = datetime.now(UTC)
    # When a payment dated 1 October too is recorded only now
    books.record(pay(order_id="o1", amount="350.00", payment_id="p2"))
    as_of = datetime(2026, 10, 2, tzinfo=UTC)
    # Then as known before it arrived, the books hold only the first payment
    before = replayed(books, "reconciliation", "pycon", as_of=as_of, known_at=known)
    assert (before["payments_total"], before["sales_total"]) == ("100.00", "0.00")
    # And as of the same date with everything known, the late payment made the sale
    after = replayed(books, "reconciliation", "pycon", as_of=as_of)
    assert (after["payments_total"], after["sales_total"]) == ("450.00", "450.00")


def test_event_log_pages_in_order_with_linked_hashes(books) -> None:
    # Given five events in pycon and one in another conference
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1"), refund(order_id="o1", amount="50.00"))
    books.record(configure_conference(), slug="other")
    # When the log is read two events at a time
    events, after = [], 0
    while True:
        page = event_page(books.ledger, "pycon", after=after, limit=2)
        assert page is not None
        events += page["events"]
        if page["next"] is None:
            break
        after = page["next"]
    # Then every pycon event comes once, in order, each linked to the one before
    assert [e["type"] for e in events] == ["conference.configured", "ticket_type.defined",
                                           "order.placed", "payment.succeeded",
                                           "refund.issued"]
    assert [e["prev_hash"] for e in events] == [GENESIS] + [e["hash"] for e in events[:-1]]
    assert events[3]["data"]["amount"] == "450.00" and events[3]["source"] == "checkout"
    assert events[3]["time"] == "2026-10-01T14:00:00+00:00"
    json.dumps(events)
    # And the last hash is the chain head at that position
    assert chain_head(books.ledger.recorder, "pycon", events[-1]["position"]) == events[-1]["hash"]
    assert event_page(books.ledger, "nowhere", after=0, limit=10) is None


def test_event_data_shows_money_in_the_currencys_digits_and_rates_as_sent(books) -> None:
    books.record(configure_conference(), define_ticket(price="450"), define_voucher(),
                 place_order(order_id="o1", lines=[line(unit_price="450")]))
    events = event_page(books.ledger, "pycon", after=0, limit=10)["events"]
    assert events[1]["data"]["price"] == "450.00"
    assert events[2]["data"]["discount_value"] == "10"  # a percentage, not money
    assert events[3]["data"]["line_items"][0]["unit_price"] == "450.00"


def states(history: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    return [(e["type"], *(e["state"][k] for k in keys)) for e in history["events"]]


def test_order_history_shows_the_order_after_each_event(books) -> None:
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"))
    books.record(initiate_payment(order_id="o1", payment_id="p1"),
                 pay(order_id="o1", payment_id="p1"),
                 refund(order_id="o1", amount="100.00", refund_id="r1"))
    history = entity_history(books.ledger, "pycon", "order", "o1")
    assert history is not None and (history["kind"], history["id"]) == ("order", "o1")
    assert states(history, "status", "paid", "refunded") == [
        ("order.placed", "pending", "0.00", "0.00"),
        ("payment.initiated", "pending", "0.00", "0.00"),
        ("payment.succeeded", "paid", "450.00", "0.00"),
        ("refund.issued", "partially_refunded", "450.00", "100.00")]
    last = history["events"][-1]["state"]
    assert last["payments"]["p1"] == {"payment_id": "p1", "method": "stripe",
                                      "amount": "450.00", "status": "succeeded"}
    assert last["refunds"] == ["r1"]
    json.dumps(history)


def test_payment_history_follows_the_payment_on_its_order(books) -> None:
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 initiate_payment(order_id="o1", payment_id="p1"),
                 pay(order_id="o1", payment_id="p2", amount="1.00"))
    books.record(pay(order_id="o1", payment_id="p1"))
    history = entity_history(books.ledger, "pycon", "payment", "p1")
    assert history is not None
    assert states(history, "status", "amount") == [
        ("payment.initiated", "pending", "450.00"), ("payment.succeeded", "succeeded", "450.00")]


def test_credit_and_speaker_histories(books) -> None:
    books.record(configure_conference(), define_ticket(price="30.00"),
                 issue_credit(credit_id="cr1", amount="50.00"),
                 place_order(order_id="o1", total="30.00"),
                 pay(order_id="o1", method="credit", credit_id="cr1", amount="30.00"),
                 sync_speaker(speaker_id="s1", talk_count=1),
                 sync_speaker(speaker_id="s1", talk_count=2))
    credit = entity_history(books.ledger, "pycon", "credit", "cr1")
    assert states(credit, "remaining", "status") == [("credit.issued", "50.00", "available"),
                                                     ("credit.applied", "20.00", "available")]
    speaker = entity_history(books.ledger, "pycon", "speaker", "s1")
    assert states(speaker, "talk_count") == [("speaker.synced", 1), ("speaker.synced", 2)]


def test_history_of_nothing_is_none(books) -> None:
    books.record(configure_conference())
    assert entity_history(books.ledger, "pycon", "order", "missing") is None
    assert entity_history(books.ledger, "pycon", "payment", "missing") is None
    assert entity_history(books.ledger, "pycon", "invoice", "o1") is None
    assert entity_history(books.ledger, "nowhere", "order", "o1") is None
    assert entity_history(books.ledger, "pycon", "conference", "pycon") is not None


# Verification ---------------------------------------------------------------------------------

def record_two_conferences(books: Any) -> list[int]:
    """Four pycon events and one of another conference; the pycon positions."""
    books.record(configure_conference(), define_ticket(), place_order(order_id="o1"),
                 pay(order_id="o1"))
    books.record(configure_conference(), slug="other")
    page = event_page(books.ledger, "pycon", after=0, limit=10)
    return [e["position"] for e in page["events"]]


def sql(books: Any, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    log = EventLog(books.ledger.recorder)
    statement = statement.format(events=log.events, position=log.position)
    if statement.startswith("SELECT"):
        return log.database.query(statement, params)
    log.database.execute(statement, params)
    return []


def test_verify_recomputes_the_chain_and_names_its_head(books) -> None:
    positions = record_two_conferences(books)
    result = verify_chain(books.ledger.recorder, "pycon")
    assert result == {"ok": True, "events": 4,
                      "head": chain_head(books.ledger.recorder, "pycon", positions[-1])}
    everything = verify_chain(books.ledger.recorder)
    assert everything["ok"] and everything["events"] == 5
    assert everything["heads"]["pycon"] == result["head"]


def test_a_stored_event_edited_in_the_database_is_caught_at_its_position(books) -> None:
    # Given an order placed at 450.00
    positions = record_two_conferences(books)
    placed = positions[2]
    # When someone rewrites its stored bytes to 999.00 with SQL
    [(state,)] = sql(books, "SELECT state FROM {events} WHERE {position} = ?", placed)
    edited = bytes(state).replace(b"450.00", b"999.00")
    assert edited != bytes(state)
    sql(books, "UPDATE {events} SET state = ? WHERE {position} = ?", edited, placed)
    # Then verify names that position, and the other conference still verifies
    result = verify_chain(books.ledger.recorder, "pycon")
    assert (result["ok"], result["first_bad_position"], result["events"]) == (False, placed, 2)
    assert "changed" in result["reason"]
    assert verify_chain(books.ledger.recorder, "other")["ok"]
    assert verify_chain(books.ledger.recorder)["first_bad_position"] == placed


def test_an_edited_chain_link_is_caught_at_its_position(books) -> None:
    positions = record_two_conferences(books)
    sql(books, "UPDATE confledger_chain SET hash = ? WHERE position = ?", "f" * 64, positions[1])
    result = verify_chain(books.ledger.recorder, "pycon")
    assert (result["ok"], result["first_bad_position"]) == (False, positions[1])


def test_a_removed_or_unlinked_event_is_caught(books) -> None:
    positions = record_two_conferences(books)
    # When the link of the last pycon event is deleted, its event is no longer chained
    sql(books, "DELETE FROM confledger_chain WHERE position = ?", positions[-1])
    everything = verify_chain(books.ledger.recorder)
    assert (everything["ok"], everything["first_bad_position"]) == (False, positions[-1])
    assert everything["reason"] == "a stored event has no chain link"
    # And when a stored event is deleted, its link finds it missing
    sql(books, "DELETE FROM {events} WHERE {position} = ?", positions[1])
    result = verify_chain(books.ledger.recorder, "pycon")
    assert (result["ok"], result["first_bad_position"]) == (False, positions[1])
    assert "missing" in result["reason"]
