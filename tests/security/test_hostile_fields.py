"""Hostile values in every field of every kind of event: control characters, lone surrogates,
strings past their limit, numbers where strings belong and strings where numbers belong, times
far in the past and future, unknown currencies. Each batch is refused with 422, every bad event
named by index and field, and nothing of it written. Real-world unicode is kept exactly.

Each mutation is tried on every leaf of every sample event at once: one batch holds one mutated
event per leaf, and the problem must name each of them (contract §3: errors cover every bad event).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from projections import audit
from tests.factories import configure_conference, place_order
from tests.security.hostile import (
    EVENTS,
    assert_refused,
    dotted,
    leaves,
    marks,
    post_raw,
    replaced,
    samples,
)

pytestmark = pytest.mark.usefixtures("conferences")

# Mutation name → (applies to this leaf value?, the hostile value)
MUTATIONS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    "nul": (lambda v: isinstance(v, str), lambda v: v + "\x00"),
    "escape-sequence": (lambda v: isinstance(v, str), lambda v: "\x1b[2J" + v),
    "delete-char": (lambda v: isinstance(v, str), lambda v: v[:1] + "\x7f"),
    "lone-surrogate": (lambda v: isinstance(v, str), lambda v: v + "\ud800"),
    "too-long": (lambda v: isinstance(v, str), lambda v: v + "x" * 5000),
    "number-for-string": (lambda v: isinstance(v, str), lambda v: 12345),
    "null-for-value": (lambda v: isinstance(v, str), lambda v: None),
    "object-for-value": (lambda v: True, lambda v: {"$gt": ""}),
    "string-for-number": (lambda v: isinstance(v, int) and not isinstance(v, bool), str),
    "float-for-integer": (lambda v: isinstance(v, int) and not isinstance(v, bool),
                          lambda v: v + 0.5),
    "huge-integer": (lambda v: isinstance(v, int) and not isinstance(v, bool),
                     lambda v: 10 ** 40),
    "string-for-boolean": (lambda v: isinstance(v, bool), lambda v: "true"),
}
# Fields where null legitimately means "absent" (optional fields), so it is not hostile there.
OPTIONAL_NULLABLE = frozenset({"reference", "utm_source", "utm_medium", "utm_campaign",
                               "voucher_code", "hold_expires_at", "reason", "note", "access_code",
                               "order_id", "vendor", "billing_address", "notes", "entered_by",
                               "issued_by", "expires_at", "start_date", "revenue_budget",
                               "available_from", "valid_until", "budget_amount", "company"})


def mutated_batch(name: str) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """One event per leaf the mutation applies to; the (index, field) each must be refused at."""
    applies, hostile = MUTATIONS[name]
    batch, expected = [], []
    for event in samples():
        for path, value in leaves(event):
            if not applies(value) or (name == "null-for-value" and path[-1] in OPTIONAL_NULLABLE):
                continue
            batch.append(replaced(event, path, hostile(value)))
            expected.append((len(batch) - 1, dotted(path)))
    return batch, expected


def test_a_hostile_value_in_any_field_is_refused_by_name_and_nothing_is_written(
        client: TestClient, services: Services, make_token: Callable[..., str],
        tally: Callable[[str, int], None], subtests: pytest.Subtests) -> None:
    ingest = {"Authorization": f"Bearer {make_token('ingest', 'pycon')}"}
    for mutation in sorted(MUTATIONS):
        with subtests.test(mutation):
            batch, expected = mutated_batch(mutation)
            before = marks(services)
            errors = assert_refused(post_raw(client, json.dumps(batch), ingest), 422)
            named = {(e["index"], e["field"]) for e in errors}
            assert [miss for miss in expected if miss not in named] == []
            assert {e["index"] for e in errors} == {index for index, _ in expected}
            assert marks(services) == before
            tally("hostile field values (one per event, every field of 16 event kinds), "
                  "refused by name", len(batch))


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")


TIMES = [(in_hours(25), "time-in-future"), ("9999-12-31T23:59:59+14:00", "time-in-future"),
         ("1969-12-31T23:59:59+00:00", "time-too-early"),
         ("0001-01-01T00:00:00+00:00", "time-too-early"),
         ("2026-13-45T25:61:61+00:00", "time-format"), ("2026-10-01T10:00:00", "time-format"),
         ("yesterday", "time-format"), ("2026-10-01T10:00:00+24:00", "time-format")]
CURRENCIES: list[Any] = ["XYZ", "usd", "US$", "", "EURO", "€", "USD ", 840, None]


def test_an_effective_time_far_in_the_future_or_past_or_malformed_is_refused(
        client: TestClient, services: Services, admin_headers: dict[str, str],
        subtests: pytest.Subtests) -> None:
    for time, code in TIMES:
        with subtests.test(time):
            before = marks(services)
            response = client.post(EVENTS, json=[place_order(order_id="t1", time=time)],
                                   headers=admin_headers)
            errors = assert_refused(response, 422)
            assert [(e["field"], e["code"]) for e in errors] == [("time", code)]
            assert marks(services) == before


def test_an_unknown_currency_is_refused(client: TestClient, services: Services,
                                        admin_headers: dict[str, str],
                                        subtests: pytest.Subtests) -> None:
    for currency in CURRENCIES:
        with subtests.test(repr(currency)):
            before = marks(services)
            response = client.post("/api/v1/conferences/newconf/events",
                                   json=[configure_conference(currency=currency)],
                                   headers=admin_headers)
            assert [e["field"] for e in assert_refused(response, 422)] == ["data.currency"]
            assert marks(services) == before


UNICODE = "Zoë Ñúñez-O'Brien 李小龍 Ωμέγα 😀 עִבְרִית \u202eevil\u202c \u200d\ufeff"


def test_real_world_unicode_in_text_fields_is_kept_exactly(
        client: TestClient, services: Services, admin_headers: dict[str, str]) -> None:
    # Given an order whose every free-text field holds names from around the world
    event = place_order(order_id="u1", id="unicode-order", name=UNICODE, reference=UNICODE,
                        utm_campaign=UNICODE)
    event["data"]["customer"]["company"] = UNICODE
    event["data"]["line_items"][0]["description"] = UNICODE
    # When it is posted, then it is recorded and the log gives every character back
    response = client.post(EVENTS, json=[event], headers=admin_headers)
    assert response.status_code == 201, response.text
    page = audit.event_page(services.ledger, "pycon", after=0, limit=1000)
    assert page is not None
    [logged] = [e for e in page["events"] if e["id"] == "unicode-order"]
    data = logged["data"]
    assert {data["customer"]["name"], data["customer"]["company"], data["reference"],
            data["utm_campaign"], data["line_items"][0]["description"]} == {UNICODE}


def test_sql_in_an_id_is_an_id_like_any_other(client: TestClient, services: Services,
                                              admin_headers: dict[str, str]) -> None:
    hostile = "o'; DROP TABLE stored_events;-- \" OR 1=1"
    response = client.post(EVENTS, json=[place_order(order_id=hostile, id=hostile)],
                           headers=admin_headers)
    assert response.status_code == 201, response.text
    again = client.post(EVENTS, json=[place_order(order_id=hostile, id=hostile)],
                        headers=admin_headers)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    history = audit.entity_history(services.ledger, "pycon", "order", hostile)
    assert history is not None and history["id"] == hostile
