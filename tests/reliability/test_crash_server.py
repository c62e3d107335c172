"""A server killed with SIGKILL in the middle of a 1,000-event batch leaves the batch wholly there
or wholly absent, the log's hash chain intact, and a retry records it exactly once (contract §3).

The kill lands at a chosen point through `crashpoint` (inside the recorder's open transaction, or
after the commit before the answer) and, in the last test, at a random moment of the batch.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.reliability.books import (
    BOOTSTRAP,
    EVENTS_PATH,
    NOW,
    SLUG,
    assert_log_intact,
    conference_events,
    keys_with_prefix,
    order_batch,
    server_env,
)
from tests.reliability.harness import CONFLEDGER, Server, crash_at, wait_until

pytestmark = pytest.mark.slow
BATCH_ORDERS = 500  # 1,000 events: the documented batch limit


class Poster(threading.Thread):
    """Posts one batch and keeps whatever came back: a response or the transport error."""

    def __init__(self, url: str, batch: list[Any]):
        super().__init__(daemon=True)
        self.url, self.batch = url, batch
        self.outcome: httpx.Response | Exception | None = None

    def run(self) -> None:
        try:
            self.outcome = httpx.post(self.url + EVENTS_PATH, json=self.batch, headers=BOOTSTRAP,
                                      timeout=60)
        except httpx.TransportError as error:
            self.outcome = error


@contextmanager
def books_on(settings: Settings) -> Iterator[Services]:
    services = Services.build(settings)
    try:
        yield services
    finally:
        services.close()


def retry_twice(services: Services, batch: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send the batch again, then once more, through the app; return both receipts."""
    with TestClient(create_app(services.settings, services=services)) as client:
        first = client.post(EVENTS_PATH, json=batch, headers=BOOTSTRAP)
        second = client.post(EVENTS_PATH, json=batch, headers=BOOTSTRAP)
    assert first.status_code in (200, 201), first.text
    assert second.status_code == 200, second.text
    return first.json(), second.json()


def assert_recorded_once(services: Services, batch: list[Any], prefix: str,
                         was_there: bool) -> None:
    """The retry records what the crash lost, the second retry nothing; one key per event."""
    first, second = retry_twice(services, batch)
    assert (first["recorded"], first["duplicates"]) == ((0, len(batch)) if was_there
                                                        else (len(batch), 0))
    assert (second["recorded"], second["duplicates"]) == (0, len(batch))
    assert [e["position"] for e in second["events"]] == [e["position"] for e in first["events"]]
    assert keys_with_prefix(services, prefix) == len(batch)
    assert_log_intact(services)


@pytest.mark.parametrize("point, survives", [("ingest-in-transaction", False),
                                             ("ingest-after-commit", True)])
def test_server_killed_mid_batch_keeps_it_whole_and_a_retry_records_it_once(
        settings: Settings, tmp_path: Path, point: str, survives: bool,
        figure: Callable[[str], None]) -> None:
    # Given a configured conference, served by a process that will stop dead at `point`
    with books_on(settings) as services:
        services.record(SLUG, conference_events(), now=NOW)
        head_before = services.head()
    marker = tmp_path / "marker"
    server = Server(crash_at(point),
                    server_env(settings, CONFLEDGER_CRASH_MARKER=str(marker)),
                    tmp_path / "server.log")
    batch = order_batch("crash-", BATCH_ORDERS)
    poster = Poster(server.base_url, batch)
    try:
        # When a 1,000-event batch reaches that point and the server is killed with SIGKILL
        poster.start()
        wait_until(marker.exists, 60, f"the server to reach {point}")
        server.kill()
    finally:
        server.kill()
    poster.join(30)
    # Then the client got no answer, and the batch is wholly there or wholly absent
    assert isinstance(poster.outcome, httpx.TransportError), poster.outcome
    with books_on(settings) as services:
        assert keys_with_prefix(services, "crash-") == (len(batch) if survives else 0)
        assert services.head() > head_before if survives else services.head() == head_before
        assert_log_intact(services)
        # And retrying records it once; a second retry finds only duplicates
        assert_recorded_once(services, batch, "crash-", survives)
    figure(f"fault: kill -9 serve at {point} ({kind(settings)}): 1,000-event batch "
           f"{'all there' if survives else 'all absent'}, chain intact, retry recorded it once")


def test_server_killed_at_a_random_moment_of_a_batch_keeps_it_whole(
        settings: Settings, tmp_path: Path, figure: Callable[[str], None]) -> None:
    # Given a server that has already answered one batch (which times a batch on this machine)
    with books_on(settings) as services:
        services.record(SLUG, conference_events(), now=NOW)
    server = Server(CONFLEDGER, server_env(settings), tmp_path / "server.log")
    try:
        started = time.perf_counter()
        warm = httpx.post(server.base_url + EVENTS_PATH, json=order_batch("warm-", BATCH_ORDERS),
                          headers=BOOTSTRAP, timeout=60)
        took = time.perf_counter() - started
        assert warm.status_code == 201, warm.text
        # When the next batch is cut short at a random moment of its expected duration
        batch = order_batch("cut-", BATCH_ORDERS)
        poster = Poster(server.base_url, batch)
        poster.start()
        time.sleep(random.uniform(0.005, took))
        server.kill()
    finally:
        server.kill()
    poster.join(30)
    # Then whichever way it went, the batch is whole, and a retry records it exactly once
    with books_on(settings) as services:
        survived = keys_with_prefix(services, "cut-")
        assert survived in (0, len(batch))
        if isinstance(poster.outcome, httpx.Response):
            assert poster.outcome.status_code == 201 and survived == len(batch)
        assert_log_intact(services)
        assert_recorded_once(services, batch, "cut-", survived == len(batch))
    figure(f"fault: kill -9 serve at a random moment ({kind(settings)}): batch "
           f"{'all there' if survived else 'all absent'}, chain intact, retry recorded it once")


def kind(settings: Settings) -> str:
    return "PostgreSQL" if settings.is_postgres else "SQLite"
