"""Checkpoints and the timeline make as-of / known-at replays start part-way: the answer must be
exactly the one a replay of the whole log gives, whatever the stream (backdated events, events
effective later than those recorded after them, several conferences, known-at cut-offs), and a
checkpoint that is garbled, edited or missing must never change an answer (SQLite and PostgreSQL).
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.projectors import rebuild_projector
from projections.catalogue import projection_classes
from projections.checkpoints import TABLE, CheckpointStore
from projections.eventlog.chain import CHAIN_TABLE, micros
from projections.replay import Replay, replay
from projections.runner import Projector
from tests.factories import configure_conference, define_ticket, pay, place_order
from tests.projections.factories_audit import Story, batches

EVERY = 4  # a checkpoint every few events, so that short streams have many
slugs = itertools.count(1)
REUSES_FIXTURES = [HealthCheck.function_scoped_fixture]  # stories differ by slug, so they may


@pytest.fixture
def checkpointed(books: Any) -> Any:
    """The books, projected by a projector that checkpoints every `EVERY` events."""
    books.projector = Projector(books.ledger, books.store,
                                [c() for c in projection_classes().values()],
                                checkpoint_every=EVERY)
    books.projector.open()
    return books


def contents(history: Replay, slug: str) -> dict[str, Any]:
    """Every row of every read model's tables in a replay, and its position."""
    tables = [t for c in projection_classes().values() for t in c().all_tables]
    return {"position": history.position,
            **{t.name: history.rows.many(t, slug) for t in tables}}


def both_ways(books: Any, slug: str, **cutoffs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A replay of every read model from checkpoints, and one of the whole log."""
    projections = [c() for c in projection_classes().values()]
    fast = replay(books.ledger, projections, slug, **cutoffs)
    slow = replay(books.ledger, projections, slug, checkpoints=False, **cutoffs)
    return contents(fast, slug), contents(slow, slug)


def shifted(event: dict[str, Any], hours: int) -> dict[str, Any]:
    moment = datetime.fromisoformat(event["time"]) + timedelta(hours=hours)
    return {**event, "time": moment.isoformat()}


def record_stories(books: Any, stream: list[Any], shifts: list[int]) -> tuple[list[Story],
                                                                           list[datetime]]:
    """Two conferences' stories, batches interleaved; each batch's events shifted by a number
    of hours (negative: backdated; positive: effective after events recorded later; never
    before the conference was configured). Returns the stories and the moments between
    batches."""
    stories = [Story(f"ckpt-{next(slugs)}") for _ in range(2)]
    moments = []
    for story in stories:
        books.record(*story.opening(), slug=story.slug)
    for n, (operations, hours) in enumerate(zip(stream, itertools.cycle(shifts))):
        story = stories[n % 2]
        if events := story.batch(operations):
            books.record(*[shifted(e, hours) for e in events], slug=story.slug)
            moments.append(datetime.now(UTC))
    return stories, moments


@settings(max_examples=10, deadline=None, suppress_health_check=REUSES_FIXTURES)
@given(stream=batches, shifts=st.lists(st.sampled_from([-5, -2, 0, 0, 3, 60]), min_size=1,
                                       max_size=4), data=st.data())
def test_replays_from_checkpoints_equal_replays_of_the_whole_log(checkpointed, stream, shifts,
                                                                 data) -> None:
    # Given two conferences' random streams, some batches backdated or effective later
    stories, moments = record_stories(checkpointed, stream, shifts)
    store = CheckpointStore(checkpointed.store.database)
    assert store.marks("reconciliation", stories[0].slug), "checkpoints were written"
    # Then at the end of time a replay from checkpoints is the live read model's content
    for story in stories:
        fast, slow = both_ways(checkpointed, story.slug)
        assert fast == slow
    # And as of any hour and known at any moment, it equals the replay of the whole log
    for story in stories:
        as_of = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(hours=data.draw(
            st.integers(1, 24 * 4)))  # from the conference's configuration on
        known_at = data.draw(st.sampled_from([None, *moments]))
        fast, slow = both_ways(checkpointed, story.slug, as_of=as_of, known_at=known_at)
        assert fast == slow, (as_of, known_at)


def test_a_replay_starts_from_the_checkpoint_that_fits_and_reads_only_the_rest(
        checkpointed) -> None:
    # Given a stream recorded in time order, then one backdated batch
    story = Story("ordered")
    checkpointed.record(*story.opening(), slug="ordered")
    for _ in range(8):
        checkpointed.record(*story.batch([("order", 0, 1, 2), ("pay", 0, 0, 1)]), slug="ordered")
    late = [shifted(e, -200) for e in story.batch([("order", 1, 0, 1)])]
    checkpointed.record(*late, slug="ordered")
    store = CheckpointStore(checkpointed.store.database)
    marks = store.marks("reconciliation", "ordered")
    assert len(marks) >= 3 and marks[0][1], "a base, then deltas"
    # When replayed as of just after the second checkpoint's latest effective time
    second = marks[1][0]
    as_of = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=second.max_effective)
    fast, slow = both_ways(checkpointed, "ordered", as_of=as_of)
    # Then it equals the whole log's replay, backdated order included
    assert fast == slow
    assert any(r["order_id"] == late[0]["data"]["order_id"]
               for r in fast["reconciliation_order"])


def test_rebuilding_a_read_model_drops_its_checkpoints(checkpointed) -> None:
    story = Story("rebuilt")
    checkpointed.record(*story.opening(), slug="rebuilt")
    store = CheckpointStore(checkpointed.store.database)
    assert store.marks("sales", "rebuilt") and store.marks("credits", "rebuilt")
    rebuild_projector(checkpointed.ledger, "sales")
    assert store.marks("sales", "rebuilt") == []
    assert store.marks("credits", "rebuilt")


@pytest.mark.parametrize("damage", [
    f"UPDATE {TABLE} SET state = ? WHERE position = ?",
    f"UPDATE {TABLE} SET max_effective = 0 WHERE position > ?",
    f"DELETE FROM {TABLE} WHERE position = ?",
])
def test_a_damaged_checkpoint_never_changes_an_answer(checkpointed, damage, caplog) -> None:
    # Given checkpoints of a conference's read models
    story = Story("damaged")
    checkpointed.record(*story.opening(), slug="damaged")
    for _ in range(8):
        checkpointed.record(*story.batch([("order", 0, 1, 2), ("pay", 0, 0, 1)]), slug="damaged")
    store = CheckpointStore(checkpointed.store.database)
    positions = [mark.position for mark, _ in store.marks("reconciliation", "damaged")]
    assert len(positions) >= 3
    # When one in the middle is garbled, has its times lowered, or is removed
    params: list[Any] = [positions[1]]
    if damage.count("?") == 2:
        params = [b"not a checkpoint", positions[1]]
    checkpointed.store.database.execute(damage, params)
    # Then every replay still equals the replay of the whole log
    with caplog.at_level(logging.WARNING, logger="confledger.checkpoints"):
        for as_of in (None, datetime(2026, 10, 1, 12, tzinfo=UTC)):
            fast, slow = both_ways(checkpointed, "damaged", as_of=as_of)
            assert fast == slow
    # And a checkpoint whose content no longer matches its digest is reported, then ignored
    assert ("digest does not match" in caplog.text) == ("UPDATE" in damage)


def test_the_timeline_holds_each_events_times_and_unknown_times_are_still_checked(
        checkpointed) -> None:
    # Given a conference's events, their times kept beside the log
    opening = Story("timed").opening()
    checkpointed.record(*opening, slug="timed")
    database = checkpointed.store.database
    [(effective, recorded)] = database.query(
        f"SELECT effective_at, recorded_at FROM {CHAIN_TABLE} WHERE conference = ? "
        "ORDER BY position LIMIT 1", ["timed"])
    assert effective == micros(datetime.fromisoformat(opening[0]["time"]))
    assert abs(recorded - micros(datetime.now(UTC))) < 60_000_000
    # When the log's links lose their times (as links written before the timeline)
    database.execute(f"UPDATE {CHAIN_TABLE} SET effective_at = NULL, recorded_at = NULL")
    database.execute(f"DELETE FROM {TABLE}")
    # Then replays decode those events and still keep only those that pass the cut-offs
    as_of = datetime(2026, 10, 1, 3, tzinfo=UTC)
    fast, slow = both_ways(checkpointed, "timed", as_of=as_of)
    assert fast == slow and fast["sales_order"] != both_ways(checkpointed, "timed")[0][
        "sales_order"]


def test_checkpoints_are_written_in_their_page_s_transaction(checkpointed, monkeypatch) -> None:
    # Given a page of more events than a checkpoint is due after
    checkpointed.ledger.record("pycon", [configure_conference(), define_ticket(),
                                         place_order(), pay()], now=checkpointed.now)
    database = checkpointed.store.database
    committed: list[bool] = []
    transaction = type(database).transaction

    def counted(self: Any, *, commit: bool = True) -> Any:
        committed.append(commit)
        return transaction(self, commit=commit)

    monkeypatch.setattr(type(database), "transaction", counted)
    # When the projector applies it
    checkpointed.projector.step()
    # Then its rows, positions and checkpoints were written in one transaction
    assert committed.count(True) == 1
    assert CheckpointStore(database).latest("sales", "pycon") is not None
