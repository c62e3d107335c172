"""Run a `confledger` command that stops dead at a chosen point, so a test can SIGKILL it there.

    python -m tests.reliability.crashpoint POINT confledger-args...

At the point the process writes the point's name to `$CONFLEDGER_CRASH_MARKER` and sleeps, holding
whatever it holds (an open database transaction, an unsent answer) until the test kills it. Nothing
else changes: the hooks wrap the real code and call it first.

Points:
- `ingest-in-transaction`: a batch's events, idempotency keys and chain links are inserted, not
  committed (the hook runs inside the recorder's transaction, after the side rows are written).
- `ingest-after-commit`: the batch is committed, its answer not yet sent.
- `projector-in-transaction`: a projector has written a page's rows and part of its positions, not
  committed.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from api.cli import app
from api.services import Services
from projections.catalogue import projection_classes
from projections.eventlog import chain
from projections.eventlog.postgres import LedgerRecorder

LARGE_BATCH = 100  # smaller writes (set-up batches) pass the ingest points untouched


def stop_here(point: str) -> None:
    """Tell the test where we are, then hold everything until SIGKILL."""
    Path(os.environ["CONFLEDGER_CRASH_MARKER"]).write_text(point)
    time.sleep(600)


def after(original: Callable[..., Any], when: Callable[..., bool], point: str
          ) -> Callable[..., Any]:
    """`original`, followed by a stop at `point` whenever `when(*args)` holds."""

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            stop_here(point)
        return result

    return wrapper


def install(point: str) -> None:
    if point == "ingest-in-transaction":
        chain.write_side_rows = after(chain.write_side_rows,  # SQLite's
                                      lambda _c, _m, ids, *_: len(ids) >= LARGE_BATCH, point)
        LedgerRecorder._write_side_rows = staticmethod(after(  # type: ignore[method-assign]
            LedgerRecorder._write_side_rows, lambda _c, _k, links: len(links) >= LARGE_BATCH,
            point))
    elif point == "ingest-after-commit":
        Services._announce = after(Services._announce, lambda *_: True, point)  # type: ignore
    elif point == "projector-in-transaction":
        # A page's flush writes one tracking row per read model: stop half-way through the
        # second flush, with the first page committed and the second not.
        lanes = len(projection_classes())
        stop_at = lanes + lanes // 2 + 1
        writes = iter(range(1, 10**9))
        for recorder in (PostgresTrackingRecorder, SQLiteTrackingRecorder):
            recorder._insert_tracking = after(  # type: ignore[method-assign]
                recorder._insert_tracking, lambda *_: next(writes) == stop_at, point)
    else:
        raise SystemExit(f"unknown crash point {point!r}")


if __name__ == "__main__":
    install(sys.argv[1])
    sys.argv = ["confledger", *sys.argv[2:]]
    app()
