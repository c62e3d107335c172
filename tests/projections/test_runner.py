"""The projector applies a page with Python's cyclic garbage collector paused, and leaves the
collector as it found it; an idle poll does not touch it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from projections import runner
from projections.projection import Projection
from tests.factories import configure_conference, define_ticket
from tests.projections.conftest import Books


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
