"""PostgreSQL going away during ingestion: clients get 503 with Retry-After (never 500) while it is
away, nothing that was accepted is lost, and the service recovers by itself when it is back.

The outage is the app's alone: its connections go through a proxy the test cuts and restores, so
other users of the shared PostgreSQL server are not disturbed (the real restart, `pg_ctlcluster ...
restart`, drops the same connections in the same way).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.conftest import BOOTSTRAP_TOKEN
from tests.factories import pay, place_order
from tests.reliability.books import EVENTS_PATH, NOW, SLUG, conference_events, logged_keys
from tests.reliability.harness import serving, wait_until
from tests.reliability.proxy import Proxy, proxy_to

pytestmark = pytest.mark.slow
CLIENTS = 4
OUTAGE_SECONDS = 7.0  # longer than the 5 s connect timeout: the pool gives up, clients see 503
READS = (f"/api/v1/conferences/{SLUG}/reports/sales", "/api/v1/status")


@dataclass
class Traffic:
    """What every client sent and what came back, shared by the client threads."""

    headers: dict[str, str]
    batches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    answers: list[tuple[str, str, int, dict[str, str], float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def send(self, http: httpx.Client, kind: str, name: str, path: str,
             body: object = None) -> None:
        """Send one request; a transport failure is noted as status 0 (and fails the test)."""
        try:
            response = http.post(path, json=body) if kind == "post" else http.get(path)
            answer = (response.status_code, dict(response.headers))
        except httpx.TransportError as error:
            answer = (0, {"error": repr(error)})
        with self.lock:
            self.answers.append((kind, name, *answer, time.monotonic()))


def client_loop(base_url: str, traffic: Traffic, client: int) -> None:
    """Post small batches and read reports and status until told to stop."""
    with httpx.Client(base_url=base_url, headers=traffic.headers, timeout=30) as http:
        for n in range(10**6):
            if traffic.stop.is_set():
                return
            name = f"c{client}-{n}-"
            batch = [place_order(order_id=f"{name}o", id=f"{name}placed"),
                     pay(order_id=f"{name}o", id=f"{name}paid", payment_id=f"{name}pay")]
            with traffic.lock:
                traffic.batches[name] = batch
            traffic.send(http, "post", name, EVENTS_PATH, batch)
            traffic.send(http, "get", READS[n % len(READS)], READS[n % len(READS)])


def proxied(url: str, proxy: Proxy) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[Proxy]:
    parts = urlsplit(postgres_url)
    with proxy_to(parts.hostname or "127.0.0.1", parts.port or 5432) as running:
        yield running


def test_database_outage_answers_503_loses_nothing_and_recovers(
        postgres_url: str, proxy: Proxy, figure: Callable[[str], None]) -> None:
    settings = Settings(database_url=proxied(postgres_url, proxy),
                        bootstrap_token=BOOTSTRAP_TOKEN, secret_key="outage")
    services = Services.build(settings)
    services.record(SLUG, conference_events(), now=NOW)
    traffic = Traffic({"Authorization": f"Bearer {services.tokens.issue('admin').token}"})
    try:
        with serving(create_app(settings, services=services, projectors=True)) as base_url:
            threads = [threading.Thread(target=client_loop, args=(base_url, traffic, c),
                                        daemon=True) for c in range(CLIENTS)]
            for thread in threads:
                thread.start()
            # Given traffic flowing; when the database goes away for a few seconds
            wait_until(lambda: len(traffic.answers) >= 20, 30, "traffic before the outage")
            proxy.cut()
            cut_at = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            assert httpx.get(base_url + "/healthz").status_code == 200  # alive, not ready
            proxy.restore()
            restored_at = time.monotonic()
            # Then the service recovers by itself: batches are accepted again
            wait_until(lambda: accepted_since(traffic, restored_at) >= 10, 60, "recovery")
            recovered_in = first_success_after(traffic, restored_at) - restored_at
            traffic.stop.set()
            for thread in threads:
                thread.join(60)
            unavailable = assert_outage_answers(traffic, cut_at, restored_at)
            resent = resend_refused(base_url, traffic)
        # And every batch accepted, before, during or after the outage, is in the log once
        counts = logged_keys(services)
        sent = {(e["source"], e["id"]) for b in traffic.batches.values() for e in b}
        assert {key: counts[key] for key in sent} == dict.fromkeys(sent, 1)
    finally:
        services.close()
    figure(f"fault: PostgreSQL gone {OUTAGE_SECONDS:.0f} s under {CLIENTS} clients: "
           f"{len(traffic.answers)} requests, {unavailable} answered 503 + Retry-After, 0 errors, "
           f"first success {recovered_in:.1f} s after it came back, {resent} batches resent, "
           f"{len(sent)} events each in the log once")


def accepted_since(traffic: Traffic, moment: float) -> int:
    with traffic.lock:
        return sum(1 for kind, _, status, _, at in traffic.answers
                   if kind == "post" and status in (200, 201) and at > moment)


def first_success_after(traffic: Traffic, moment: float) -> float:
    with traffic.lock:
        return min(at for kind, _, status, _, at in traffic.answers
                   if status in (200, 201) and at > moment)


def assert_outage_answers(traffic: Traffic, cut_at: float, restored_at: float) -> int:
    """Every answer is a success or a 503 with Retry-After; the outage did produce 503s."""
    unavailable = 0
    for kind, name, status, headers, at in traffic.answers:
        assert status in (200, 201, 503), (kind, name, status, headers)
        if status == 503:
            unavailable += 1
            assert cut_at <= at, (kind, name, "503 before the outage")
            assert int(headers["retry-after"]) > 0
            assert headers["content-type"] == "application/problem+json"
    assert unavailable > 0
    assert any(at > restored_at and status in (200, 201)
               for kind, _, status, _, at in traffic.answers if kind == "get")
    return unavailable


def resend_refused(base_url: str, traffic: Traffic) -> int:
    """What a client does with a 503: send the same batch again (it may have been recorded)."""
    answered = {name: status for kind, name, status, _, _ in traffic.answers if kind == "post"}
    resent = [batch for name, batch in traffic.batches.items()
              if answered.get(name) not in (200, 201)]
    with httpx.Client(base_url=base_url, headers=traffic.headers, timeout=30) as http:
        for batch in resent:
            response = http.post(EVENTS_PATH, json=batch)
            assert response.status_code in (200, 201), response.text
    return len(resent)
