"""Speaker registration: registered while the speaker's customer has a standing sold order."""

from __future__ import annotations

from projections.catalogue import reports
from tests.factories import configure_conference, define_ticket, pay, place_order, refund
from tests.projections.factories_people import sync_speaker


def registered(books) -> dict[str, bool]:
    return {row["speaker_id"]: row["registered"] for row in books.report("speakers")["rows"]}


def test_speaker_is_unregistered_again_after_a_full_refund(books) -> None:
    # Given Grace (customer cust-g, paid order og), Alan (cust-a, order oa only pending) and
    # Barbara (no customer id)
    books.record(configure_conference(), define_ticket(),
                 sync_speaker(speaker_id="grace", name="Grace Hopper", customer_id="cust-g",
                              talk_count=2),
                 sync_speaker(speaker_id="alan", name="Alan Turing", customer_id="cust-a",
                              email="alan@example.org"),
                 sync_speaker(speaker_id="barbara", name="Barbara Liskov",
                              email="barbara@example.org"),
                 place_order(order_id="og", customer_id="cust-g"), pay(order_id="og"),
                 place_order(order_id="oa", customer_id="cust-a"))
    body = books.report("speakers")
    # Then rows come by name, and only Grace is registered
    assert body["rows"] == [
        {"speaker_id": "alan", "name": "Alan Turing", "email": "alan@example.org",
         "talk_count": 1, "registered": False},
        {"speaker_id": "barbara", "name": "Barbara Liskov", "email": "barbara@example.org",
         "talk_count": 1, "registered": False},
        {"speaker_id": "grace", "name": "Grace Hopper", "email": "grace@example.org",
         "talk_count": 2, "registered": True}]
    assert body["summary"] == {"total": 3, "registered": 1, "unregistered": 2}
    # When 100 of Grace's 450 is refunded, her sale still stands
    books.record(refund(order_id="og", amount="100.00"))
    assert registered(books)["grace"] is True
    # When the other 350 is refunded, it does not
    books.record(refund(order_id="og", amount="350.00"))
    assert registered(books)["grace"] is False
    assert books.report("speakers")["summary"] == {"total": 3, "registered": 0,
                                                   "unregistered": 3}


def test_speaker_stays_registered_while_any_order_stands_and_resync_replaces(books) -> None:
    # Given Grace with two paid orders, one later fully refunded
    books.record(configure_conference(), define_ticket(),
                 sync_speaker(speaker_id="grace", customer_id="cust-g"),
                 place_order(order_id="o1", customer_id="cust-g"), pay(order_id="o1"),
                 place_order(order_id="o2", customer_id="cust-g"), pay(order_id="o2"),
                 refund(order_id="o1", amount="450.00"))
    # Then o2 still stands: registered
    assert registered(books) == {"grace": True}
    # When the CFP re-syncs her with 3 talks
    books.record(sync_speaker(speaker_id="grace", customer_id="cust-g", talk_count=3))
    row = books.report("speakers")["rows"][0]
    assert (row["talk_count"], row["registered"]) == (3, True)
    cells = {header: cell(row) for header, cell in reports()["speakers"].columns}
    assert cells == {"Name": "Grace Hopper", "Email": "grace@example.org", "Talk Count": 3,
                     "Registered": "Yes"}
