"""The books the fault tests write and how they inspect the store afterwards.

Events are built with the shared factories; inspection reads the ledger's own tables (idempotency
keys, stored events, the hash chain) straight from the database, so it sees exactly what survived.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from api.services import Services
from api.settings import Settings
from projections import audit
from projections.catalogue import projection_classes
from projections.eventlog.chain import CHAIN_TABLE, KEYS_TABLE
from tests.conftest import BOOTSTRAP_TOKEN
from tests.factories import Event, configure_conference, define_ticket, pay, place_order

SLUG = "pycon"
NOW = datetime.now(UTC)
BOOTSTRAP = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
EVENTS_PATH = f"/api/v1/conferences/{SLUG}/events"


def conference_events() -> list[Event]:
    """A configured conference selling one ticket type at 450.00."""
    return [configure_conference(id="conference"), define_ticket(id="ticket-ind")]


def order_batch(prefix: str, orders: int) -> list[Event]:
    """`2 × orders` events: each order placed and paid in full, every id starting `prefix`."""
    events = []
    for n in range(orders):
        order_id = f"{prefix}o{n}"
        events += [place_order(order_id=order_id, id=f"{prefix}placed-{n}"),
                   pay(order_id=order_id, payment_id=f"{prefix}pay-{n}", id=f"{prefix}paid-{n}")]
    return events


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a `confledger` subprocess needs to use the test's store."""
    return {"CONFLEDGER_DATABASE_URL": settings.database_url,
            "CONFLEDGER_BOOTSTRAP_TOKEN": BOOTSTRAP_TOKEN,
            "CONFLEDGER_SECRET_KEY": settings.secret_key, **extra}


def keys_with_prefix(services: Services, prefix: str) -> int:
    """How many idempotency keys (one per recorded CloudEvent) have an id starting `prefix`."""
    [(count,)] = services.database.query(
        f"SELECT COUNT(*) FROM {KEYS_TABLE} WHERE source_id LIKE ?", (prefix + "%",))
    return int(count)


def stored_events(services: Services) -> int:
    table = services.ledger.recorder.events_table_name  # type: ignore[attr-defined]
    [(count,)] = services.database.query(f"SELECT COUNT(*) FROM {table}")
    return int(count)


def assert_log_intact(services: Services) -> dict[str, Any]:
    """Every stored event has exactly one chain link, and the whole chain verifies.

    Positions may have gaps (a PostgreSQL sequence does not roll back with its transaction), so
    links are counted, not compared with the head.
    """
    [(links,)] = services.database.query(f"SELECT COUNT(*) FROM {CHAIN_TABLE}")
    assert links == stored_events(services)
    verified = audit.verify_chain(services.ledger.recorder)
    assert verified["ok"], verified
    return verified


def logged_keys(services: Services, slug: str = SLUG) -> Counter[tuple[str, str]]:
    """How many times each (source, id) occurs in the conference's event log (read page by page).

    One CloudEvent may be stored as several domain events (a credit refund is two); they share
    the key, so each CloudEvent is counted once per position run of the same key.
    """
    counts: Counter[tuple[str, str]] = Counter()
    after, previous = 0, None
    while True:
        page = audit.event_page(services.ledger, slug, after=after, limit=1000)
        assert page is not None
        for event in page["events"]:
            key = (event["source"], event["id"])
            if key != previous:
                counts[key] += 1
            previous = key
        if page["next"] is None:
            return counts
        after = page["next"]


def read_model_contents(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows, sorted, keyed by table name."""
    contents = {}
    for cls in projection_classes().values():
        for table in cls().all_tables:
            rows = services.database.query(
                f"SELECT {', '.join(table.columns)} FROM {table.name} "
                f"ORDER BY {', '.join(table.key)}")
            contents[table.name] = rows
    return contents
