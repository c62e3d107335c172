"""No accepted event may poison the projectors: an event the read models cannot take halts every
report for good (projectors apply the log in order and retry the same page for ever). So whatever
the ledger accepts must project, and what would not project must be refused at the door.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.projectors import ProjectorService
from api.services import Services
from tests.factories import Event, define_ticket, pay, place_order
from tests.security.hostile import EVENTS

pytestmark = pytest.mark.usefixtures("conferences")
MAX_AMOUNT = "999999999999.99"  # the largest amount the intake accepts


def far_past() -> list[Event]:
    # 0001-01-01 in UTC is still year 0 in New York: converting it overflowed
    return [place_order(order_id="ancient", time="0001-01-01T00:00:00+00:00", id="ancient")]


def huge_rank() -> list[Event]:
    return [define_ticket(product_id="t-rank", sort_order=10**40, id="t-rank")]


def summed_past_64_bits() -> list[Event]:
    """100 orders at the largest amount the intake accepts: their sums stay exact."""
    return [event for n in range(100) for event in (
        place_order(order_id=f"max{n}", total=MAX_AMOUNT, id=f"max{n}"),
        pay(order_id=f"max{n}", amount=MAX_AMOUNT, id=f"max-pay{n}"))]


CASES: list[Any] = [
    pytest.param(far_past, id="effective-time-in-year-1"),
    pytest.param(huge_rank, id="sort-order-10**40"),
    pytest.param(summed_past_64_bits, id="many-maximal-amounts-summed"),
]


@pytest.mark.parametrize("events", CASES)
def test_an_event_the_ledger_accepts_never_halts_the_projectors(
        client: TestClient, services: Services, admin_headers: dict[str, str],
        events: Any) -> None:
    response = client.post(EVENTS, json=events(), headers=admin_headers)
    assert response.status_code in (201, 422), response.text
    projector = ProjectorService(services.ledger).projector
    projector.open()
    projector.catch_up()  # raises if a recorded event cannot be projected
    assert projector.position == services.head()
