"""A refused batch lists every bad event, malformed or refused by the books, and records nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.application import BatchRefused, Ledger
from tests.factories import configure_conference, define_ticket, pay, place_order

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


def test_malformed_and_rule_breaking_events_are_listed_together(ledger: Ledger) -> None:
    # Given a configured conference
    ledger.record("pycon", [configure_conference(), define_ticket()], now=NOW)
    head = ledger.recorder.max_notification_id()
    # When a batch has a malformed payment (number as money) and a refund-free payment on an
    # order that does not exist
    batch = [place_order(order_id="o1"),
             pay(order_id="o1", amount=450),
             pay(order_id="missing")]
    with pytest.raises(BatchRefused) as refused:
        ledger.record("pycon", batch, now=NOW)
    # Then both bad events are named, in batch order, and nothing was written
    found = [(e.index, e.error.field, e.error.code) for e in refused.value.errors]
    assert found == [(1, "data.amount", "money-format"), (2, "data.order_id", "unknown-order")]
    assert refused.value.invalid
    assert ledger.recorder.max_notification_id() == head


def test_a_zero_decimal_currency_conference_needs_no_card_fee_fields(ledger: Ledger) -> None:
    # The default card_fee_fixed ("0.30") is the ledger's, not the sender's: a JPY conference
    # configured without it is accepted (its default is not held to yen's 0 minor digits).
    ledger.record("tokyo", [configure_conference(currency="JPY", timezone="Asia/Tokyo")],
                  now=NOW)
    conference = ledger.conference("tokyo")
    assert conference is not None and conference.currency == "JPY"


def test_credit_payment_without_credit_id_names_the_missing_field(ledger: Ledger) -> None:
    ledger.record("pycon", [configure_conference(), define_ticket(), place_order()], now=NOW)
    with pytest.raises(BatchRefused) as refused:
        ledger.record("pycon", [pay(method="credit")], now=NOW)
    [error] = refused.value.errors
    assert (error.error.field, error.error.code) == ("data.credit_id", "required-with")


def test_rfc3339_times_may_use_lowercase_t_and_z(ledger: Ledger) -> None:
    ledger.record("pycon", [configure_conference(time="2026-10-01t14:00:00z")], now=NOW)
    assert ledger.conference("pycon") is not None
