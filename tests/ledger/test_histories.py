"""Kept histories: a batch decodes only new events, yet always checks against the stored books,
including what another process recorded since."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.application import BatchRefused, Ledger
from ledger.base import entity_id
from ledger.conference import Conference
from ledger.histories import Histories, HistoryLost
from tests.factories import Event, configure_conference, define_ticket, line, pay, place_order

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


def test_a_batch_reads_only_the_events_after_what_it_keeps(ledger: Ledger) -> None:
    # Given a configured conference with a ticket, checked once
    ledger.record("pycon", [configure_conference(), define_ticket()], now=NOW)
    ledger.record("pycon", [place_order(order_id="o1")], now=NOW)
    conference = entity_id("pycon", Conference.kind, "pycon")
    # When the next batch refers to the conference again
    reads: list[dict[object, int]] = []
    recorder = ledger.recorder
    read_books = recorder.read_books  # type: ignore[attr-defined]

    def reading(keys: object, ids: object, after: dict[object, int]) -> object:
        reads.append(after)
        return read_books(keys, ids, after)

    recorder.read_books = reading  # type: ignore[attr-defined]
    ledger.record("pycon", [place_order(order_id="o2")], now=NOW)
    # Then the books were read after the kept version of the conference (its two events)
    assert reads[0][conference] == 2


def test_events_recorded_by_another_process_are_seen(ledger: Ledger) -> None:
    # Given this process keeps the conference's history (no ticket "vip" yet)
    ledger.record("pycon", [configure_conference(), define_ticket()], now=NOW)
    ledger.record("pycon", [place_order(order_id="o1")], now=NOW)
    with pytest.raises(BatchRefused):
        ledger.record("pycon", [vip_order()], now=NOW)
    # When another process (another Ledger on the same store) defines "vip"
    other = Ledger(env=dict(ledger.env))
    try:
        other.record("pycon", [define_ticket(product_id="vip", name="VIP")], now=NOW)
    finally:
        other.close()
    # Then this process accepts an order for it, and pays it against the stored order
    receipt = ledger.record("pycon", [vip_order()], now=NOW)
    assert receipt.recorded == 1
    assert ledger.record("pycon", [pay(order_id="o2")], now=NOW).recorded == 1


def vip_order() -> Event:
    return place_order(order_id="o2", lines=[line(product_id="vip", unit_price="450.00")])


def test_a_history_dropped_meanwhile_is_reported_not_guessed() -> None:
    histories = Histories(decode=lambda stored: stored, size=1)  # type: ignore[arg-type,return-value]
    # Given the books were read after version 3 of an aggregate no longer kept
    with pytest.raises(HistoryLost):
        histories.rebuild([entity_id("c", "order", "o1")], [],
                          {entity_id("c", "order", "o1"): 3})


def test_the_books_look_aggregates_up_by_key_without_table_statistics(ledger: Ledger) -> None:
    # Given a log whose tables were never analysed (autovacuum off, or just bulk loaded)
    ledger.record("pycon", [configure_conference(), define_ticket()], now=NOW)
    recorder = ledger.recorder
    conference = entity_id("pycon", Conference.kind, "pycon")
    # When the books read the events of some aggregates after known versions
    with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        if "postgres" in type(recorder).__module__:
            # a log big enough that scanning it would be the plan's choice without statistics
            cursor.execute(f"INSERT INTO {recorder.events_table_name} (originator_id, "  # type: ignore[attr-defined]
                           "originator_version, topic, state) SELECT gen_random_uuid(), 1, 'x', "
                           "'\\x00' FROM generate_series(1, 100000)")
            cursor.execute("EXPLAIN " + recorder.events_after().as_string(cursor),  # type: ignore[attr-defined]
                           ([conference] * 300, [1] * 300))
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + recorder.events_after(1),  # type: ignore[attr-defined]
                           [conference.hex, 1])
        plan = "\n".join(str(list(dict(row).values())[-1]) for row in cursor.fetchall())
    # Then each aggregate is found through the primary key, never by scanning the log
    assert "Index" in plan or "USING INDEX" in plan, plan
    assert "Seq Scan" not in plan and "SCAN e" not in plan, plan
