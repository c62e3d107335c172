"""Speaker registration: registered while the speaker's customer has a standing sold order."""

from __future__ import annotations

from projections.catalogue import reports
from projections.store import SqlReader
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


def test_resync_to_another_customer_moves_the_registration_and_the_summary(books) -> None:
    # Given Grace and Ada sharing customer cust-g, whose order is paid, and cust-n with none
    books.record(configure_conference(), define_ticket(),
                 sync_speaker(speaker_id="grace", customer_id="cust-g"),
                 sync_speaker(speaker_id="ada", name="Ada Lovelace", customer_id="cust-g"),
                 place_order(order_id="og", customer_id="cust-g"), pay(order_id="og"))
    assert registered(books) == {"ada": True, "grace": True}
    assert books.report("speakers")["summary"]["registered"] == 2
    # When the CFP re-syncs Grace under cust-n, then without any customer
    books.record(sync_speaker(speaker_id="grace", customer_id="cust-n"))
    assert registered(books) == {"ada": True, "grace": False}
    books.record(sync_speaker(speaker_id="grace"))
    # And cust-g's order is refunded in full, then cust-n buys
    books.record(refund(order_id="og", amount="450.00"),
                 sync_speaker(speaker_id="grace", customer_id="cust-n"),
                 place_order(order_id="on", customer_id="cust-n"), pay(order_id="on"))
    # Then only Grace is registered, and the summary counts what the rows show
    assert registered(books) == {"ada": False, "grace": True}
    assert books.report("speakers")["summary"] == {"total": 2, "registered": 1,
                                                   "unregistered": 1}


def test_speakers_page_by_name_with_a_cursor_and_the_csv_streams_all(books) -> None:
    books.record(configure_conference(), define_ticket(),
                 *(sync_speaker(speaker_id=f"s{n}", name=name, customer_id=None)
                   for n, name in enumerate(["Cy", "Ada", "Bob", "Ada"])))
    first = books.report("speakers", limit="3")
    second = books.report("speakers", limit="3", cursor=first["next_cursor"])
    # Ties on the name are ordered by speaker id, so no speaker is skipped or shown twice
    assert [r["speaker_id"] for r in first["rows"]] == ["s1", "s3", "s2"]
    assert [r["speaker_id"] for r in second["rows"]] == ["s0"]
    assert second["next_cursor"] is None
    assert second["summary"] == {"total": 4, "registered": 0, "unregistered": 4}
    lines = reports()["speakers"].rows_for_csv(SqlReader(books.store.database),
                                               books.context(limit="1"))
    assert [line["speaker_id"] for line in lines] == ["s1", "s3", "s2", "s0"]
