"""Projector catch-up from empty (each read model alone, then all together) and projector lag
while the API ingests.

Catch-up drops a read model's tables and position (what `confledger rebuild` does) and times one
`Projector` replaying the whole log into it; the rate counts every event of the log, as a rebuild
reads them all. The live figure runs `confledger project` as its own process while a further
conference is posted in batches, and reads the read models' positions from the tracking table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from api.projectors import projections_named
from bench.ingest import BATCH, Event, ingest_batches, post
from bench.measure import Figure, per_second
from bench.server import ProjectorProcess
from ledger.application import Ledger
from projections.catalogue import projection_classes
from projections.runner import Projector
from projections.store import TableStore, open_store

CATCH_UP_TARGET = 10_000
READY_TIMEOUT = 600.0


def catch_up(ledger: Ledger, names: Sequence[str]) -> float:
    """Rebuild the read models `names` from empty; return the seconds the replay took."""
    store = open_store(ledger.recorder)
    projections = projections_named(names)
    for projection in projections:
        store.drop(projection.all_tables, projection.name)
    projector = Projector(ledger, store, projections)
    projector.open()
    started = time.perf_counter()
    projector.catch_up()
    return time.perf_counter() - started


def measure_catch_up(ledger: Ledger, each: bool = True,
                     advance: Callable[[str], None] = lambda _name: None) -> list[Figure]:
    """Events/s of each read model alone (when `each`), then of all of them together."""
    head = ledger.recorder.max_notification_id() or 0
    figures = []
    names = list(projection_classes())
    for name in names if each else []:
        advance(name)
        figures.append(Figure(f"catch-up: {name}", per_second(head, catch_up(ledger, [name])),
                              "ev/s"))
    advance("all read models")
    figures.append(Figure("catch-up: all read models together",
                          per_second(head, catch_up(ledger, names)), "ev/s",
                          at_least=CATCH_UP_TARGET))
    return figures


def lowest_position(store: TableStore) -> int:
    positions = store.positions()
    return min(positions.get(name, 0) for name in projection_classes())


def wait_for_position(store: TableStore, position: int, child: ProjectorProcess,
                      timeout: float = READY_TIMEOUT) -> float:
    """Seconds until every read model reaches `position`; raise if the projector dies."""
    started = time.perf_counter()
    while lowest_position(store) < position:
        child.check()
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"projectors did not reach {position} in {timeout:.0f} s")
        time.sleep(0.01)
    return time.perf_counter() - started


def measure_live(ledger: Ledger, client: httpx.Client, database_url: str, slug: str,
                 events: Sequence[Event], log: Path,
                 advance: Callable[[int], None] = lambda _n: None) -> list[Figure]:
    """Post `events` in batches while `confledger project` follows; its lag when posting ends."""
    store = open_store(ledger.recorder)
    with ProjectorProcess(database_url, log) as child:
        # The first batch also tells when the process has loaded its rows and is following.
        post(client, slug, list(events[:500]), BATCH)
        wait_for_position(store, ledger.recorder.max_notification_id() or 0, child)
        advance(min(500, len(events)))
        start = lowest_position(store)
        ingest = ingest_batches(client, slug, events[500:], advance=advance)
        head = ledger.recorder.max_notification_id() or 0
        lag = head - lowest_position(store)
        drain = wait_for_position(store, head, child)
    return [
        Figure("live: ingest with `confledger project` running", ingest.rate, "ev/s"),
        Figure("live: projector lag when ingest ends", lag, "events"),
        Figure("live: projector drain after ingest ends", drain, "s"),
        Figure("live: projector rate while following",
               per_second(head - start, ingest.seconds + drain), "ev/s"),
    ]
