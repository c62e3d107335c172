"""The cyclic garbage collector, paused while many objects are made and none forms a cycle.

An as-of replay restores hundreds of thousands of rows from checkpoints; a projector page decodes
5,000 events into rows it keeps; the demo generator makes a million events. None of them is part
of a reference cycle, yet the collector runs every few hundred allocations and walks them again
and again as they survive: 60 % of the CPU of an as-of `financial` report at 1M events, 30 % of a
catch-up's (a full collection walked every row the projector holds, 0.7 s each, every 4 pages).
Paused, it walks nothing. Afterwards every object joins the oldest generation, as if it had
survived the young collections, so that the first collection after the pause does not walk them
all at once either (another 0.45 s of that report).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """Pauses from several threads at once (a projector page beside an as-of request): the
    first pause turns the collector off, the last one's end turns it back on if it was on. A
    pause that restored what *it* found could otherwise leave the collector off for good."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.resume = False

    def begin(self) -> None:
        with self.lock:
            if not self.count:
                self.resume = gc.isenabled()
                gc.disable()
            self.count += 1

    def end(self) -> None:
        with self.lock:
            self.count -= 1
            if self.count:
                return
            if not gc.get_freeze_count():  # (unfreezing would thaw what another module froze)
                gc.freeze()  # every tracked object into the permanent generation,
                gc.unfreeze()  # then all of them into the oldest one
            if self.resume:
                gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector (for the whole process) during the block; then move every object it
    tracks to its oldest generation, which is only walked when it has grown by a quarter."""
    _PAUSES.begin()
    try:
        yield
    finally:
        _PAUSES.end()
