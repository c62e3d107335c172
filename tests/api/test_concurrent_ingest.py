"""Concurrent senders against a real server: every event is recorded exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from api.services import Services
from tests.factories import Event, configure_conference, issue_credit

SENDERS = 8
EVENTS = 200


def post_all(url: str, token: str, events: list[Event]) -> list[dict[str, Any]]:
    """POST each event on its own, from SENDERS threads at once; the answers in event order."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:

        def send(event: Event) -> dict[str, Any]:
            response = client.post("/api/v1/conferences/pycon/events", json=event)
            assert response.status_code in (200, 201), response.text
            answer: dict[str, Any] = response.json()["events"][0]
            return answer | {"http": response.status_code}

        with ThreadPoolExecutor(SENDERS) as pool:
            return list(pool.map(send, events))


def stored_counts(services: Services) -> list[int]:
    """Rows in the event log, the idempotency keys and the hash chain."""
    tables = (services.ledger.recorder.events_table_name,  # type: ignore[attr-defined]
              "confledger_intake_keys", "confledger_chain")
    return [services.database.query(f"SELECT COUNT(*) FROM {table}")[0][0] for table in tables]


def test_concurrent_single_event_posts_are_each_recorded_exactly_once(
        server_url: str, admin_token: str, services: Services) -> None:
    # Given a configured conference and 200 credits to issue, one event each
    post_all(server_url, admin_token, [configure_conference()])
    events = [issue_credit(credit_id=f"cr{n}", amount="10.00") for n in range(EVENTS)]
    # When 8 senders post them at once
    first = post_all(server_url, admin_token, events)
    # Then every one is recorded, at its own position, and stored once
    assert {a["status"] for a in first} == {"recorded"}
    assert {a["http"] for a in first} == {201}
    assert len({a["position"] for a in first}) == EVENTS
    assert stored_counts(services) == [EVENTS + 1] * 3
    assert services.head() == max(a["position"] for a in first)
    # When they are all sent again, at once
    again = post_all(server_url, admin_token, events)
    # Then each is a duplicate naming its original position, and nothing more is stored
    assert {(a["status"], a["http"]) for a in again} == {("duplicate", 200)}
    assert [a["position"] for a in again] == [a["position"] for a in first]
    assert stored_counts(services) == [EVENTS + 1] * 3


def test_the_same_event_raced_by_two_senders_is_recorded_once(
        server_url: str, admin_token: str, services: Services) -> None:
    post_all(server_url, admin_token, [configure_conference()])
    events = [issue_credit(credit_id=f"cr{n}", amount="10.00") for n in range(EVENTS // 4)]
    # When every event is posted twice, concurrently
    answers = post_all(server_url, admin_token, [e for e in events for _ in range(2)])
    # Then one answer of each pair records it and the other is a duplicate at the same position
    for recorded, duplicate in zip(answers[::2], answers[1::2], strict=True):
        assert sorted([recorded["status"], duplicate["status"]]) == ["duplicate", "recorded"]
        assert recorded["position"] == duplicate["position"]
    assert stored_counts(services) == [len(events) + 1] * 3
