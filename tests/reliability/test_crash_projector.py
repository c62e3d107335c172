"""A `confledger project` process killed with SIGKILL mid catch-up, then restarted, leaves every
read model exactly as a rebuild from the event log makes it: nothing lost, nothing applied twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from api import demo
from api.projectors import projections_named, rebuild_projector
from api.services import Services
from api.settings import Settings
from projections.store import open_store
from tests.reliability.books import NOW, read_model_contents, server_env
from tests.reliability.harness import CONFLEDGER, Process, crash_at, wait_until

pytestmark = pytest.mark.slow
DEMO_SLUG = "crash-demo"
ATTENDEES = 400  # about 2,400 events: three pages of the projector's catch-up
PAGE = 1000  # the projector's page here (CONFLEDGER_PROJECTOR_PAGE), to crash between pages


def seed(services: Services) -> int:
    """Record a demo conference (no projector has run); return the head position."""
    events = demo.generate_conference(slug=DEMO_SLUG, attendees=ATTENDEES, now=NOW)
    for batch in demo.batches(events, 500):
        services.record(DEMO_SLUG, batch, now=NOW)
    assert services.head() > 2 * PAGE
    return services.head()


def test_projector_killed_mid_catch_up_and_restarted_equals_a_rebuild(
        settings: Settings, tmp_path: Path, figure: Callable[[str], None]) -> None:
    services = Services.build(settings)
    try:
        head = seed(services)
        store = open_store(services.ledger.recorder)
        names = [p.name for p in projections_named()]
        env = server_env(settings, CONFLEDGER_CRASH_MARKER=str(tmp_path / "marker"),
                         CONFLEDGER_PROJECTOR_PAGE=str(PAGE))
        log = tmp_path / "projector.log"

        # When a projector is killed inside its second page's transaction
        stopped = Process([*crash_at("projector-in-transaction"), "project"], env, log)
        wait_until((tmp_path / "marker").exists, 60, "the projector's second page")
        stopped.kill()
        # Then the first page is there for every read model and nothing of the second
        first_page = set(store.positions().values())
        assert len(first_page) == 1 and 0 < first_page.pop() < head
        assert set(store.positions()) == set(names)

        # When another projector is killed as soon as it has moved on (wherever it then is)
        moved = Process([*CONFLEDGER, "project"], env, log)
        wait_until(lambda: min(store.positions().values()) > PAGE, 60, "the next page")
        moved.kill()

        # And a last one catches up to the head
        last = Process([*CONFLEDGER, "project"], env, log)
        try:
            wait_until(lambda: min(store.positions().values()) >= head, 120, "the head")
        finally:
            last.kill()

        # Then every read model's rows equal what a rebuild from the log makes of them
        caught_up = read_model_contents(services)
        for name in names:
            rebuild_projector(services.ledger, name).catch_up()
        assert read_model_contents(services) == caught_up
        assert "Traceback" not in log.read_text()
        database = "PostgreSQL" if settings.is_postgres else "SQLite"
        for moment in ("inside a page's transaction", "after it moved on"):
            figure(f"fault: kill -9 project {moment} ({database}): {len(names)} read models "
                   f"({len(caught_up)} tables) equal a rebuild after restart")
    finally:
        services.close()
