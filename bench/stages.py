"""One benchmark run on one fresh store at one size: every phase, in order, into a `Result`.

Three conferences share the store: the measured one (`bench`, the size asked for), a small one
posted as single events by concurrent clients (`bench-single`), and one posted while a projector
process follows (`bench-live`). Reports and exports are read from `bench`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx

from api import demo
from api.services import Services
from api.settings import Settings
from bench.databases import Store, settle
from bench.export import ATTENDEES, measure_export, order_export
from bench.floor import measure_floor
from bench.ingest import Event, Ingest, ingest_batches, ingest_concurrently
from bench.measure import Figure, Result
from bench.options import Options
from bench.phases import Phases
from bench.projectors import measure_catch_up, measure_live
from bench.reports import measure_as_of, measure_reports
from bench.server import ApiServer

MAIN, SINGLE, LIVE = "bench", "bench-single", "bench-live"
BATCH_TARGETS = {"sqlite": 5_000, "postgres": 3_000}
SINGLE_TARGET, SINGLE_P99_MS = 500, 100.0
FLOOR_SHARE_TARGET = 25.0


def measure_store(store: Store, label: str, target: int, options: Options, now: datetime,
                  phases: Phases, logs: Path) -> Result:
    """Run every phase on `store` with a conference of about `target` events."""
    result = Result(store.kind, label, 0)
    with ApiServer(store.url, logs / f"api-{store.kind}-{label}.log") as server, \
            server.client() as client:
        try:
            _measure_through(server, client, target, result, store, options, now, phases, logs)
        except Exception as error:
            error.add_note(f"end of {server.log}:\n{server.tail()}")
            raise
    return result


def _measure_through(server: ApiServer, client: httpx.Client, target: int, result: Result,
                     store: Store, options: Options, now: datetime, phases: Phases,
                     logs: Path) -> None:
    """Every phase that talks to the running API, adding to `result`."""
    phases.step("generating")(MAIN)
    events = conference(MAIN, target, options, now)
    result.events, as_of_day = len(events), middle_of_sales(events)
    batched = ingest_batches(client, MAIN, events,
                             advance=phases.bar("ingest, batches of 500", len(events)))
    del events  # at a million events, every megabyte counts
    single = _single_events(server, options, now, phases)
    result.figures += ingest_figures(store.kind, batched, single)
    services = Services.build(Settings(database_url=store.url), create_tables=False)
    try:
        result.figures += _log_and_projectors(store, services, client, batched, options,
                                              now, phases,
                                              logs / f"project-{store.kind}-{result.size}.log")
    finally:
        services.close()
    phases.step("writing dirty pages out (CHECKPOINT)")
    settle(store)
    result.latencies |= measure_reports(client, MAIN, options.repeats,
                                        phases.step("report latency"))
    result.latencies |= measure_as_of(client, MAIN, as_of_day, options.as_of_repeats,
                                      phases.step("as-of latency"))
    result.figures += _exports(client, server.pid, options, phases)


def conference(slug: str, target: int, options: Options, now: datetime) -> list[Event]:
    return demo.events_for_size(slug=slug, seed=options.seed, target_events=target, now=now)


def middle_of_sales(events: list[Event]) -> str:
    """The day halfway between the first and the last order (UTC date)."""
    times = [datetime.fromisoformat(e["time"]) for e in events if e["type"] == "order.placed"]
    if not times:
        times = [datetime.fromisoformat(e["time"]) for e in events]
    return (min(times) + (max(times) - min(times)) / 2).date().isoformat()


def _single_events(server: ApiServer, options: Options, now: datetime,
                   phases: Phases) -> Ingest:
    events = conference(SINGLE, options.single_events, options, now)
    clients = [server.light_client() for _ in range(options.clients)]
    try:
        return ingest_concurrently(clients, SINGLE, events, advance=phases.bar(
            f"ingest, single events from {options.clients} clients", len(events)))
    finally:
        for client in clients:
            client.close()


def ingest_figures(kind: str, batched: Ingest, single: Ingest) -> list[Figure]:
    return [
        Figure("ingest: batches of 500", batched.rate, "ev/s", at_least=BATCH_TARGETS.get(kind)),
        Figure("ingest: batch request p50", batched.latency.p50, "ms"),
        Figure("ingest: batch request p99", batched.latency.p99, "ms"),
        Figure("ingest: single events, 8 clients", single.rate, "ev/s", at_least=SINGLE_TARGET),
        Figure("ingest: single event p50", single.latency.p50, "ms"),
        Figure("ingest: single event p99", single.latency.p99, "ms", at_most=SINGLE_P99_MS),
    ]


def _log_and_projectors(store: Store, services: Services, client: httpx.Client,
                        batched: Ingest, options: Options, now: datetime, phases: Phases,
                        log: Path) -> list[Figure]:
    ledger = services.ledger
    phases.step("raw floor")("inserting the stored payloads")
    figures = [Figure("events in the log", ledger.recorder.max_notification_id() or 0, "events")]
    figures += measure_floor(store, ledger.recorder)
    figures.append(floor_share(batched, figures))
    figures += measure_catch_up(ledger, options.per_model, phases.step("catch-up from empty"))
    phases.step("generating")(LIVE)
    live = conference(LIVE, options.live_events, options, now)
    figures += measure_live(ledger, client, store.url, LIVE, live, log,
                            phases.bar("ingest while `confledger project` follows", len(live)))
    return figures


def floor_share(batched: Ingest, figures: list[Figure]) -> Figure:
    """Batched ingest as a percentage of the best raw floor (COPY on PostgreSQL)."""
    best = max((f.value or 0.0 for f in figures if f.name.startswith("raw floor")), default=0.0)
    return Figure("ingest / best raw floor", 100 * batched.rate / best if best else None, "%",
                  at_least=FLOOR_SHARE_TARGET)


def _exports(client: httpx.Client, pid: int, options: Options, phases: Phases) -> list[Figure]:
    step = phases.step("CSV export")
    figures = []
    for name in (ATTENDEES, order_export()):
        if name is not None:
            step(name)
            figures += measure_export(client, pid, MAIN, name, options.export_repeats)
    return figures
