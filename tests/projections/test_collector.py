"""The garbage collector is paused only inside the block, and left as it was found."""

from __future__ import annotations

import gc

import pytest

from projections import collector
from projections.collector import collector_paused


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_in_the_block_and_left_as_found(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_objects_frozen_by_another_module_stay_frozen() -> None:
    marker = [object()]  # a container the collector tracks, frozen below
    gc.freeze()
    try:
        with collector_paused():
            pass
        # The frozen generation is not listed: thawed, the marker would be in the oldest one.
        assert gc.isenabled() and not any(found is marker for found in gc.get_objects())
    finally:
        gc.unfreeze()


def test_overlapping_pauses_turn_the_collector_back_on_when_the_last_one_ends() -> None:
    # A projector page and an as-of request pause in turn: the one that began second sees the
    # collector off, and must not leave it off when it ends last. (Pauses of their own: a
    # projector thread of another test may be pausing the process's collector right now.)
    pauses = collector._Pauses()
    gc.enable()
    pauses.begin()
    pauses.begin()
    pauses.end()
    assert not gc.isenabled()
    pauses.end()
    assert gc.isenabled()
