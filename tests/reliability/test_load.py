"""A mixed load on PostgreSQL for `CONFLEDGER_LOAD_SECONDS`: clients ingesting batches of orders,
payments, refunds and attendees while others read every report as JSON and as CSV from a real
`confledger serve` process. Zero errors, every accepted event in the log exactly once, the sales
report counting exactly the accepted paid orders, and report latency printed.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.services import Services
from api.settings import Settings
from projections.catalogue import reports
from tests.conftest import BOOTSTRAP_TOKEN
from tests.factories import pay, place_order, refund, register_attendee
from tests.reliability.books import EVENTS_PATH, NOW, SLUG, conference_events, logged_keys
from tests.reliability.harness import CONFLEDGER, Server

pytestmark = pytest.mark.slow
INGESTERS = 4
READERS = 4
MAX_ORDERS_PER_BATCH = 60


@dataclass
class Load:
    """Everything the clients did, shared between their threads."""

    until: float
    accepted: set[tuple[str, str]] = field(default_factory=set)
    paid_orders: int = 0
    failures: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=lambda: {"json": [], "csv": [],
                                                                     "ingest": []})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except httpx.TransportError as error:
            self.fail(f"{kind}: {error!r}")
            return None
        with self.lock:
            self.latency[kind].append(time.perf_counter() - started)
        return response

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def ingest_batch(client: int, n: int, rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    """A batch of orders placed and paid, each with its attendee, one in three refunded in part."""
    events = []
    orders = rng.randint(1, MAX_ORDERS_PER_BATCH)
    for k in range(orders):
        order = f"load-{client}-{n}-{k}"
        events += [place_order(order_id=order, customer_id=f"cust-{order}", id=f"{order}-placed"),
                   pay(order_id=order, payment_id=f"{order}-pay", id=f"{order}-paid"),
                   register_attendee(attendee_id=f"att-{order}", customer_id=f"cust-{order}",
                                     order_id=order, id=f"{order}-attendee")]
        if k % 3 == 0:
            events.append(refund(order_id=order, amount="50.00", refund_id=f"{order}-refund",
                                 id=f"{order}-refund"))
    return events, orders


def ingester(base_url: str, load: Load, client: int) -> None:
    rng = random.Random(client)
    with httpx.Client(base_url=base_url, timeout=60,
                      headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}) as http:
        n = 0
        while time.monotonic() < load.until:
            batch, orders = ingest_batch(client, n, rng)
            n += 1
            response = load.timed("ingest", partial(http.post, EVENTS_PATH, json=batch))
            if response is None:
                continue
            if response.status_code != 201:
                load.fail(f"ingest: {response.status_code} {response.text[:300]}")
                continue
            with load.lock:
                load.accepted |= {(e["source"], e["id"]) for e in batch}
                load.paid_orders += orders


def reader(base_url: str, load: Load, client: int, token: str) -> None:
    names = sorted(reports())
    rng = random.Random(100 + client)
    with httpx.Client(base_url=base_url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        while time.monotonic() < load.until:
            name, kind = rng.choice(names), rng.choice(("json", "json", "csv"))
            path = f"/api/v1/conferences/{SLUG}/reports/{name}" + (".csv" if kind == "csv" else "")
            response = load.timed(kind, partial(http.get, path))
            if response is not None and response.status_code != 200:
                load.fail(f"{kind} {name}: {response.status_code} {response.text[:300]}")


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms"


def test_mixed_load_on_postgresql_loses_nothing_and_fails_nothing(
        postgres_url: str, tmp_path: Path, load_seconds: float,
        figure: Callable[[str], None]) -> None:
    settings = Settings(database_url=postgres_url, bootstrap_token=BOOTSTRAP_TOKEN,
                        secret_key="load")
    services = Services.build(settings)
    try:
        services.record(SLUG, conference_events(), now=NOW)
        finance = services.tokens.issue("finance", SLUG).token
        env = {"CONFLEDGER_DATABASE_URL": postgres_url,
               "CONFLEDGER_BOOTSTRAP_TOKEN": BOOTSTRAP_TOKEN}
        server = Server(CONFLEDGER, env, tmp_path / "server.log")
        try:
            load = run_load(server.base_url, finance, load_seconds)
            # Then no request failed (no 5xx, no transport error, no unexpected 4xx)
            assert load.failures == []
            # And every accepted event is in the log exactly once, and nothing else is
            logged = logged_keys(services)
            setup = {(e["source"], e["id"]) for e in conference_events()}
            assert set(logged) == load.accepted | setup
            assert set(logged.values()) == {1}
            # And the read models caught up count every accepted paid order
            assert sold_orders(server.base_url, finance, services.head()) == load.paid_orders
        finally:
            server.kill()
        assert "Traceback" not in server.output()
    finally:
        services.close()
    requests = sum(len(samples) for samples in load.latency.values())
    figure(f"load: {load_seconds:.0f} s, {requests} requests ({len(load.latency['ingest'])} "
           f"batches, {len(load.accepted)} events accepted, {len(load.latency['json'])} JSON "
           f"reports, {len(load.latency['csv'])} CSV exports), 0 errors, 0 events lost")
    for kind in ("json", "csv", "ingest"):
        figure(f"load latency {kind}: {percentiles(load.latency[kind])}")


def run_load(base_url: str, finance_token: str, seconds: float) -> Load:
    load = Load(until=time.monotonic() + seconds)
    threads = [threading.Thread(target=ingester, args=(base_url, load, c))
               for c in range(INGESTERS)]
    threads += [threading.Thread(target=reader, args=(base_url, load, c, finance_token))
                for c in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return load


def sold_orders(base_url: str, token: str, head: int) -> int:
    """The sales report's order count once it reflects `head` (it waits on min_position)."""
    deadline = time.monotonic() + 120
    while True:
        response = httpx.get(f"{base_url}/api/v1/conferences/{SLUG}/reports/sales",
                             params={"min_position": head}, timeout=60,
                             headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 200:
            return sum(row["count"] for row in response.json()["rows"])
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
