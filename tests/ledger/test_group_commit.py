"""Group commit: batches saved together keep their own positions, and a conflict in a group is
told only to the batch that really conflicted."""

from __future__ import annotations

import threading
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.commit import GroupCommit, Pending


class Recording:
    def __init__(self, position: int):
        self.notification = type("Notification", (), {"id": position})()


class FakeStore:
    """Saves events as positions 1, 2, ...; refuses any save that contains a poisoned event."""

    def __init__(self) -> None:
        self.saves: list[int] = []
        self.head = 0

    def save(self, *events: Any, conference: str, intake_keys: list[Any]) -> list[Recording]:
        if "poison" in events:
            raise IntegrityError("a concurrent writer already used that version")
        self.saves.append(len(events))
        start, self.head = self.head, self.head + len(events)
        return [Recording(start + n + 1) for n in range(len(events))]


def test_a_lone_batch_is_saved_at_once_with_its_positions() -> None:
    pending = Pending("c", ["a", "b"], [])  # type: ignore[list-item]
    GroupCommit(FakeStore().save).submit_all([pending])
    assert (pending.positions, pending.error) == ([1, 2], None)


def test_a_conflicting_batch_in_a_group_fails_alone() -> None:
    # Given three batches queued together, the middle one conflicting with the stored books
    store = FakeStore()
    commits = GroupCommit(store.save)
    group = [Pending("c", ["a"], []), Pending("c", ["poison"], []), Pending("c", ["b"], [])]  # type: ignore[list-item]
    # When the group is committed (the combined save fails, so each is saved alone)
    commits._commit(group)
    # Then the others are saved with their own positions, and only the middle one is refused
    assert (group[0].positions, group[2].positions) == ([1], [2])
    assert isinstance(group[1].error, IntegrityError)


def test_concurrent_batches_share_commits_and_all_get_positions() -> None:
    store = FakeStore()
    commits = GroupCommit(store.save)
    pendings = [Pending("c", [f"e{n}"], []) for n in range(50)]  # type: ignore[list-item]
    threads = [threading.Thread(target=commits.submit_all, args=([p],)) for p in pendings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(p for pending in pendings for p in pending.positions) == list(range(1, 51))
    assert sum(store.saves) == 50


def test_a_failing_database_is_reported_to_every_batch_of_the_group() -> None:
    def broken(*_events: Any, **_kwargs: Any) -> list[Recording]:
        raise ConnectionError("database gone")
    group = [Pending("c", ["a"], []), Pending("c", ["b"], [])]  # type: ignore[list-item]
    GroupCommit(broken).submit_all(group)
    assert all(isinstance(pending.error, ConnectionError) for pending in group)
