"""The projector applies a page with Python's cyclic garbage collector paused, and leaves the
collector as it found it; an idle poll does not touch it. While it catches up, a writer thread
commits each page: a page it fails to write moves no position, and a page another process wrote
first has the projector reload and go on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from api.projectors import rebuild_projector
from api.services import Services
from projections import runner
from projections.catalogue import projection_classes
from projections.db import Cursor
from projections.projection import Projection
from projections.store import Batch, TableStore
from projections.tables import Rows
from tests.factories import (
    check_in,
    configure_conference,
    define_ticket,
    pay,
    place_order,
    register_attendee,
)
from tests.projections.conftest import Books
from tests.reliability.books import read_model_contents


@pytest.mark.parametrize("collecting", [True, False])
def test_a_page_is_applied_with_the_collector_paused_and_it_is_left_as_found(
        books: Books, monkeypatch: pytest.MonkeyPatch, collecting: bool) -> None:
    seen: list[bool] = []
    applied = Projection.apply

    def watched(projection: Projection, event: Any, rows: Any) -> None:
        seen.append(gc.isenabled())
        applied(projection, event, rows)

    monkeypatch.setattr(Projection, "apply", watched)
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        books.record(configure_conference(), define_ticket())
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen and not any(seen)


def test_a_poll_that_finds_no_new_event_leaves_the_collector_alone(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    books.record(configure_conference())
    pauses: list[None] = []

    @contextmanager
    def counted() -> Iterator[None]:
        pauses.append(None)
        yield

    monkeypatch.setattr(runner, "collector_paused", counted)
    assert books.projector.step() == 0 and not pauses
    books.record(define_ticket())
    assert len(pauses) == 1


def record_pages(books: Books) -> None:
    """Record five pages of two events (the projector's page here)."""
    books.projector.page = 2
    orders = [event for n in range(2) for event in (
        place_order(order_id=f"o{n}"), pay(order_id=f"o{n}"),
        register_attendee(attendee_id=f"a{n}"),
        check_in(attendee_id=f"a{n}"))]
    books.ledger.record("pycon", [configure_conference(), define_ticket(), *orders],
                        now=books.now)


def fail_write(monkeypatch: pytest.MonkeyPatch, number: int, error: Exception) -> list[Batch]:
    """Make the `number`th page write raise `error` before writing; return the batches seen."""
    seen: list[Batch] = []
    write = TableStore.write

    def failing(store: TableStore, cursor: Cursor, batch: Batch) -> None:
        seen.append(batch)
        if len(seen) == number:
            raise error
        write(store, cursor, batch)

    monkeypatch.setattr(TableStore, "write", failing)
    return seen


def test_a_page_the_writer_thread_fails_to_write_moves_no_position(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a catch-up of several pages whose second page's write fails
    record_pages(books)
    seen = fail_write(monkeypatch, 2, OperationalError("the connection was lost"))
    with pytest.raises(OperationalError):
        books.projector.catch_up()
    # Then every read model stands at the first page's end, in storage and in the projector
    first = seen[0].positions[0][1]
    assert set(books.store.positions().values()) == {first}
    assert books.projector.position == first
    # And no page after the failed one was written
    assert len(seen) == 2


def test_a_page_another_process_wrote_first_has_the_catch_up_reload_and_go_on(
        books: Books, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a catch-up whose second page finds its positions already taken (IntegrityError)
    record_pages(books)
    seen = fail_write(monkeypatch, 2, IntegrityError("another process moved first"))
    # When it catches up
    books.projector.catch_up()
    # Then it reloaded from the first page and wrote every later page to the head
    head = services.head()
    assert set(books.store.positions().values()) == {head}
    assert seen[1].positions == seen[2].positions and len(seen) > 3
    # And every read model equals a rebuild from the log
    caught_up = read_model_contents(services)
    monkeypatch.undo()
    for name in projection_classes():
        rebuild_projector(books.ledger, name).catch_up()
    assert read_model_contents(services) == caught_up


def test_a_projector_opening_while_another_writes_takes_the_position_its_rows_reflect(
        books: Books, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given read models at a position, and an event after it that another projector will write
    books.record(configure_conference(), define_ticket(), place_order())
    before = books.projector.position
    books.ledger.record("pycon", [pay()], now=books.now)
    other = runner.Projector(books.ledger, books.store,
                             [c() for c in projection_classes().values()])
    other.open()
    # When a projector opens, and the other one commits just after its first read model's rows
    # were read
    loading = Rows.load

    def meanwhile(rows: Rows, *args: Any) -> None:
        loading(rows, *args)
        if other.position == before:
            other.catch_up()

    monkeypatch.setattr(Rows, "load", meanwhile)
    opened = runner.Projector(books.ledger, books.store,
                              [c() for c in projection_classes().values()])
    opened.open()
    monkeypatch.undo()
    # Then that read model's position is the one its rows reflect, not the other's newer one
    assert other.position == services.head() > before
    assert opened.lanes[0].position == before
    # And catching up brings every read model to the head, equal to a rebuild from the log
    opened.catch_up()
    assert set(books.store.positions().values()) == {services.head()}
    caught_up = read_model_contents(services)
    for name in projection_classes():
        rebuild_projector(books.ledger, name).catch_up()
    assert read_model_contents(services) == caught_up
