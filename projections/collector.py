"""The cyclic garbage collector, paused while many objects are made and none forms a cycle.

An as-of replay restores hundreds of thousands of rows from checkpoints; the demo generator makes
a million events. None of them is part of a reference cycle, yet the collector runs every few
hundred allocations and walks them again and again as they survive: 60 % of the CPU of an as-of
`financial` report at 1M events. Paused, it walks nothing. Afterwards every object joins the
oldest generation, as if it had survived the young collections, so that the first collection
after the pause does not walk them all at once either (another 0.45 s of that report).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector (for the whole process) during the block; then move every object it
    tracks to its oldest generation, which is only walked when it has grown by a quarter."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():  # (unfreezing would thaw what another module froze)
            gc.freeze()  # every tracked object into the permanent generation,
            gc.unfreeze()  # then all of them into the oldest one
        if was_enabled:
            gc.enable()
