"""After a large catch-up the projector refreshes PostgreSQL's planner statistics of its tables
(autovacuum does so only eventually, or never where it is off); SQLite needs nothing."""

from __future__ import annotations

from tests.factories import configure_conference, define_ticket, pay, place_order
from tests.projections.conftest import Books


def analysed(books: Books, table: str) -> bool:
    found = books.store.database.query(
        "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ?", (table,))
    return bool(found and found[0][0])


def test_a_large_catch_up_refreshes_the_statistics(books: Books) -> None:
    postgres = books.store.database.is_postgres
    # Given a projector that refreshes statistics after every 3 events applied
    books.projector.statistics_every = 3
    books.record(configure_conference(), define_ticket())
    assert not postgres or not analysed(books, "sales_order")
    # When a catch-up applies that many more
    books.record(place_order(order_id="o1"), pay(order_id="o1"))
    # Then PostgreSQL has fresh statistics for the read models' tables (SQLite: nothing to do)
    assert not postgres or analysed(books, "sales_order")
    assert books.projector._since_statistics == 0
