"""What hostile-input tests share: one valid event of every kind of field, every leaf of an event
(the fields a mutation can target), the store's write marks, and the shape of a clear refusal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from api.services import Services
from projections.eventlog.chain import KEYS_TABLE
from tests.factories import (
    Event,
    cloud_event,
    configure_conference,
    create_purchase_order,
    define_expense_category,
    define_ticket,
    define_voucher,
    issue_credit,
    issue_credit_note,
    line,
    pay,
    place_order,
    record_expense,
    record_po_payment,
    refund,
    register_attendee,
)
from tests.security.conftest import FIGURES

EVENTS = "/api/v1/conferences/pycon/events"
Leaf = tuple[tuple[str | int, ...], Any]


def samples() -> list[Event]:
    """Valid events that together carry every kind of field: ids, names, free text, money,
    counts, booleans, dates, times, enumerations and nested lists."""
    return [
        configure_conference(id="s-conf", start_date="2026-10-01", revenue_budget="1000.00",
                             target_attendance=100),
        define_ticket(id="s-ticket", is_active=True, sort_order=1,
                      available_from="2026-01-01T00:00:00+00:00"),
        define_voucher(id="s-voucher", valid_until="2026-12-31T00:00:00+00:00"),
        define_expense_category(id="s-cat", budget_amount="500.00"),
        cloud_event("cart.opened", {"cart_id": "cart1", "customer_id": "cust-1",
                                    "expires_at": "2026-10-01T15:00:00+00:00"}, id="s-cart"),
        place_order(order_id="s-o", id="s-order", reference="REF-1", utm_source="mail",
                    utm_medium="news", utm_campaign="launch", voucher_code="SAVE10",
                    hold_expires_at="2026-10-02T00:00:00+00:00",
                    lines=[line(discount_condition_ids=["cond1"])]),
        pay(order_id="o1", payment_id="s-pay", id="s-pay", reference="ch_1"),
        refund(order_id="o1", refund_id="s-ref", id="s-ref", reason="changed plans"),
        issue_credit(credit_id="s-credit", id="s-credit", note="goodwill"),
        register_attendee(attendee_id="s-att", id="s-att", access_code="ABC", order_id="o1"),
        cloud_event("speaker.synced", {"speaker_id": "sp1", "name": "Grace", "email": "g@x.org",
                                       "talk_count": 2}, id="s-speaker", source="cfp"),
        cloud_event("travel_grant.updated", {"grant_id": "g1", "status": "offered",
                                             "requested_amount": "300.00"}, id="s-grant"),
        record_expense(id="s-expense", vendor="Hall Inc."),
        create_purchase_order(id="s-po", billing_address="1 Main St", notes="net 30"),
        record_po_payment(id="s-popay", reference="wire-1", note="thanks", entered_by="bob"),
        issue_credit_note(id="s-cn", issued_by="alice"),
    ]


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[Leaf]:
    """Every (path, scalar) of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from leaves(item, (*path, n))
    else:
        yield path, value


def dotted(path: tuple[str | int, ...]) -> str:
    """A path as the API's problem names it: `data.line_items.0.description`."""
    return ".".join(str(part) for part in path)


def replaced(event: Event, path: tuple[str | int, ...], value: Any) -> Event:
    """A copy of `event` with the leaf at `path` set to `value`."""
    copy = json.loads(json.dumps(event))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def marks(services: Services) -> tuple[int, int]:
    """(head position, idempotency keys): both stay put when nothing is written."""
    [(keys,)] = services.database.query(f"SELECT COUNT(*) FROM {KEYS_TABLE}")
    return services.head(), int(keys)


REFUSED = "hostile requests refused with a clear problem document"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """A problem document of `status` with a title and a detail (counted in the figures)."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    FIGURES[REFUSED] += 1
    return problem


def assert_refused(response: httpx.Response, status: int) -> list[dict[str, Any]]:
    """A problem document of `status` that lists at least one error with a code; its errors."""
    problem = assert_problem(response, status)
    assert problem["errors"] and all(e["code"] for e in problem["errors"])
    return list(problem["errors"])


def post_raw(client: Any, body: str | bytes, headers: dict[str, str],
             content_type: str = "application/json") -> httpx.Response:
    """POST exactly these bytes (lone surrogates stay escaped, as a hostile sender sends them)."""
    return client.post(EVENTS, content=body, headers=headers | {"content-type": content_type})
