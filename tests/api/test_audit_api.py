"""Audit over HTTP (contract §5): the event log, entity histories, verify, period close, and the
provenance every report carries (chain head), with as-of / known-at answers an auditor can
regenerate byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import audit
from api.services import Services
from api.settings import Settings
from projections.audit import EventLog
from projections.catalogue import projection_classes
from projections.runner import Projector
from projections.store import open_store
from tests.api.problems import assert_problem
from tests.factories import (
    configure_conference,
    create_purchase_order,
    define_ticket,
    pay,
    place_order,
    record_po_payment,
    refund,
    send_purchase_order,
)

# What names the moment of an answer rather than its content; a replay names the last event it
# applied, which can be earlier than the live position (events no read model of it reads).
PROVENANCE = ("generated_at", "position", "as_of", "known_at", "chain_head")
LOGGED_KEYS = {"position", "source", "id", "type", "time", "recorded_at", "data", "hash",
               "prev_hash"}


@pytest.fixture
def app(settings: Settings, services: Services) -> FastAPI:
    """The app, with the audit router (until the app factory includes it)."""
    built = create_app(settings, services=services)
    if not any(getattr(route, "path", "").endswith("/verify") for route in built.routes):
        built.include_router(audit.router)
    return built


@pytest.fixture
def project(services: Services) -> Callable[[], int]:
    """Bring every read model up to the head (no projector thread runs in tests)."""
    projector = Projector(services.ledger, open_store(services.ledger.recorder),
                          [cls() for cls in projection_classes().values()])
    projector.open()
    return projector.catch_up


@pytest.fixture
def auditor(make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('auditor', 'pycon')}"}


@pytest.fixture
def record(post: Callable[..., Any], project: Callable[[], int]) -> Iterator[Callable[..., None]]:
    """Post one batch (as admin), check it was recorded, and project it."""

    def record_batch(*events: dict[str, Any]) -> None:
        response = post(*events)
        assert response.status_code == 201, response.text
        project()

    yield record_batch


def opening() -> list[dict[str, Any]]:
    return [configure_conference(), define_ticket(), place_order(order_id="o1"),
            pay(order_id="o1", payment_id="p1")]


def without_provenance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in PROVENANCE}


def test_audit_reads_need_the_auditor_role(client: TestClient, record: Any, auditor: Any,
                                           make_token: Callable[..., str]) -> None:
    record(*opening())
    finance = {"Authorization": f"Bearer {make_token('finance', 'pycon')}"}
    for path in ("events", "history/order/o1", "verify"):
        url = f"/api/v1/conferences/pycon/{path}"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=finance).status_code == 403
        assert client.get(url, headers=auditor).status_code == 200


def test_event_log_pages_with_hash_links(client: TestClient, record: Any, auditor: Any) -> None:
    record(*opening())
    first = client.get("/api/v1/conferences/pycon/events", params={"limit": 3},
                       headers=auditor).json()
    assert len(first["events"]) == 3 and first["next"] == first["events"][-1]["position"]
    rest = client.get("/api/v1/conferences/pycon/events",
                      params={"after": first["next"]}, headers=auditor).json()
    assert rest["next"] is None
    events = first["events"] + rest["events"]
    assert all(set(e) == LOGGED_KEYS for e in events)
    assert [e["type"] for e in events][-1] == "payment.succeeded"
    assert events[-1]["prev_hash"] == events[-2]["hash"]
    assert client.get("/api/v1/conferences/pycon/events", params={"limit": 0},
                      headers=auditor).status_code == 422


def test_history_answers_each_state_or_404(client: TestClient, record: Any,
                                           auditor: Any) -> None:
    record(*opening())
    order = client.get("/api/v1/conferences/pycon/history/order/o1", headers=auditor).json()
    assert [(e["type"], e["state"]["status"]) for e in order["events"]] == [
        ("order.placed", "pending"), ("payment.succeeded", "paid")]
    assert set(order["events"][0]) == {"position", "type", "time", "recorded_at", "data",
                                       "state"}
    payment = client.get("/api/v1/conferences/pycon/history/payment/p1", headers=auditor)
    assert payment.json()["events"][0]["state"]["status"] == "succeeded"
    missing = client.get("/api/v1/conferences/pycon/history/order/o9", headers=auditor)
    assert_problem(missing, 404)


def test_verify_names_the_head_and_catches_a_tampered_event(client: TestClient, record: Any,
                                                           auditor: Any,
                                                           services: Services) -> None:
    record(*opening())
    verified = client.get("/api/v1/conferences/pycon/verify", headers=auditor).json()
    report = client.get("/api/v1/conferences/pycon/reports/trial-balance",
                        headers=auditor).json()
    assert verified == {"ok": True, "events": 4, "head": report["chain_head"]}
    # When the payment's stored event is rewritten directly in the database
    log = EventLog(services.ledger.recorder)
    position = report["position"]
    log.database.execute(f"UPDATE {log.events} SET state = ? WHERE {log.position} = ?",
                         [b"{}", position])
    tampered = client.get("/api/v1/conferences/pycon/verify", headers=auditor).json()
    assert (tampered["ok"], tampered["first_bad_position"]) == (False, position)


def test_closed_period_refuses_a_back_dated_refund_but_accepts_its_correction(
        client: TestClient, record: Any, auditor: Any, admin_headers: Any, post: Any,
        project: Callable[[], int]) -> None:
    record(*opening())
    url = "/api/v1/conferences/pycon/periods/close"
    # Only an admin closes a period, and only one that has ended
    assert client.post(url, json={"through": "2026-10-31"}, headers=auditor).status_code == 403
    assert_problem(client.post(url, json={"through": "2999-01-01"}, headers=admin_headers),
                   422, (None, "through", "period-in-future"))
    closed = client.post(url, json={"through": "2026-10-31"}, headers=admin_headers)
    assert closed.status_code == 201
    assert closed.json()["through"] == "2026-10-31"
    # A refund dated 15 October is refused...
    back_dated = refund(order_id="o1", amount="50.00", refund_id="r1",
                        time="2026-10-15T12:00:00+00:00")
    assert_problem(post(back_dated), 409, (0, "time", "period-closed"))
    assert_problem(post({**back_dated, "correctsperiod": "2026-09-30"}), 409,
                   (0, "time", "period-closed"))
    # ...unless it is a correction naming the closed period; November is open anyway
    assert post({**back_dated, "correctsperiod": "2026-10-31"}).status_code == 201
    later = refund(order_id="o1", amount="5.00", time="2026-11-02T12:00:00+00:00")
    assert post(later).status_code == 201
    project()
    report = client.get("/api/v1/conferences/pycon/reports/trial-balance", headers=auditor)
    assert report.json()["closed_periods"] == ["2026-10-31"]


def test_report_as_of_a_past_date_equals_the_live_report_of_then(
        client: TestClient, record: Any, auditor: Any) -> None:
    # Given the books of 1 October and the live reports then
    record(*opening(), create_purchase_order(po_id="po1"), send_purchase_order(po_id="po1"))
    names = ("trial-balance", "reconciliation", "purchase-orders", "sales")
    then = {name: client.get(f"/api/v1/conferences/pycon/reports/{name}",
                             headers=auditor).json() for name in names}
    # When payments dated 10 October are recorded
    record(refund(order_id="o1", amount="50.00", time="2026-10-10T12:00:00+00:00"),
          record_po_payment(po_id="po1", amount="300.00", time="2026-10-10T12:00:00+00:00"))
    # Then as of 5 October every report says what it said live then
    hashes = {e["position"]: e["hash"] for e in client.get(
        "/api/v1/conferences/pycon/events", headers=auditor).json()["events"]}
    for name in names:
        answer = client.get(f"/api/v1/conferences/pycon/reports/{name}",
                            params={"as_of": "2026-10-05"}, headers=auditor).json()
        assert without_provenance(answer) == without_provenance(then[name])
        assert answer["as_of"] == "2026-10-05T23:59:59.999999-04:00"
        # And names the chain head at the last event it reflects
        assert answer["chain_head"] == hashes[answer["position"]]


def test_known_at_excludes_a_late_back_dated_payment(client: TestClient, record: Any,
                                                     auditor: Any) -> None:
    record(configure_conference(), define_ticket(), place_order(order_id="o1"),
          pay(order_id="o1", amount="100.00"))
    events = client.get("/api/v1/conferences/pycon/events", headers=auditor).json()["events"]
    known_at = events[-1]["recorded_at"]
    record(pay(order_id="o1", amount="350.00"))  # dated 1 October, recorded now
    url = "/api/v1/conferences/pycon/reports/reconciliation"
    before = client.get(url, params={"known_at": known_at}, headers=auditor).json()
    now = client.get(url, headers=auditor).json()
    assert (before["payments_total"], now["payments_total"]) == ("100.00", "450.00")
    assert before["known_at"] == known_at


def test_as_of_at_the_head_equals_live(client: TestClient, record: Any, auditor: Any) -> None:
    record(*opening(), refund(order_id="o1", amount="20.00"))
    url = "/api/v1/conferences/pycon/reports/trial-balance"
    live = client.get(url, headers=auditor).json()
    head = client.get(url, params={"as_of": "2026-11-01"}, headers=auditor).json()
    assert without_provenance(head) == without_provenance(live)
    assert live["totals"] == {"debit": "920.00", "credit": "920.00"}


def test_as_of_known_at_csv_downloads_are_byte_identical(client: TestClient, record: Any,
                                                         auditor: Any) -> None:
    record(*opening())
    events = client.get("/api/v1/conferences/pycon/events", headers=auditor).json()["events"]
    params = {"as_of": "2026-10-05", "known_at": events[-1]["recorded_at"]}
    url = "/api/v1/conferences/pycon/reports/trial-balance.csv"
    first = client.get(url, params=params, headers=auditor)
    # Even after more events, back-dated ones included, are recorded
    record(refund(order_id="o1", amount="20.00"), place_order(order_id="o2"))
    second = client.get(url, params=params, headers=auditor)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    provenance = [h for h in first.headers if h.lower().startswith("confledger-")]
    assert {h.lower() for h in provenance} >= {"confledger-position", "confledger-as-of",
                                              "confledger-known-at", "confledger-chain-head"}
    assert all(first.headers[h] == second.headers[h] for h in provenance)
    assert first.headers["confledger-chain-head"] == events[-1]["hash"]
    assert first.text.splitlines()[0] == "Account,Type,Debit,Credit,Balance"
