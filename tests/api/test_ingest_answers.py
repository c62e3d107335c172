"""What ingestion answers: receipts, duplicates, content types and size limits (contract §3)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers.events import EventsRecorded
from api.services import Services
from ledger.base import entity_id
from ledger.orders import Order
from tests.api.conftest import Post
from tests.api.problems import assert_problem
from tests.factories import configure_conference, define_ticket, pay, place_order

URL = "/api/v1/conferences/pycon/events"


@pytest.fixture
def pycon(post: Post) -> None:
    assert post(configure_conference(), define_ticket()).status_code == 201


def test_a_batch_that_places_and_pays_an_order_is_recorded(pycon: None, post: Post,
                                                           services: Services) -> None:
    # Given an order and its payment in one batch
    batch = [place_order(order_id="o1"), pay(order_id="o1", amount="450.00")]
    # When it is posted
    response = post(*batch)
    # Then both are recorded, in order, and the order is paid
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"recorded", "duplicates", "position", "events"}
    assert (body["recorded"], body["duplicates"]) == (2, 0)
    assert [(e["index"], e["id"], e["source"], e["status"]) for e in body["events"]] == [
        (0, batch[0]["id"], "checkout", "recorded"), (1, batch[1]["id"], "checkout", "recorded")]
    positions = [e["position"] for e in body["events"]]
    assert positions == sorted(positions) and body["position"] == positions[-1]
    order = services.ledger.repository.get(entity_id("pycon", Order.kind, "o1"))
    assert order.status == "paid"


def test_resending_a_recorded_batch_is_a_no_op_answering_the_original_positions(
        pycon: None, post: Post, head: Callable[[], int]) -> None:
    # Given a recorded batch
    batch = [place_order(order_id="o1"), pay(order_id="o1")]
    first = post(*batch).json()
    before = head()
    # When it is sent again
    again = post(*batch)
    # Then nothing is written and the answer names the original positions
    assert again.status_code == 200
    body = again.json()
    assert (body["recorded"], body["duplicates"], body["position"]) == (0, 2, first["position"])
    assert [e["status"] for e in body["events"]] == ["duplicate", "duplicate"]
    assert [e["position"] for e in body["events"]] == [e["position"] for e in first["events"]]
    assert head() == before


def test_a_batch_mixing_new_and_recorded_events_records_only_the_new(pycon: None,
                                                                    post: Post) -> None:
    order = place_order(order_id="o1")
    original = post(order).json()["position"]
    body = post(order, pay(order_id="o1")).json()
    assert [(e["status"], e["position"]) for e in body["events"]] == [
        ("duplicate", original), ("recorded", body["position"])]
    assert (body["recorded"], body["duplicates"]) == (1, 1)


def test_the_same_event_twice_in_one_batch_is_recorded_once(pycon: None, post: Post) -> None:
    order = place_order(order_id="o1")
    body = post(order, order).json()
    assert [e["status"] for e in body["events"]] == ["recorded", "duplicate"]
    assert body["events"][0]["position"] == body["events"][1]["position"]


def test_the_receipt_is_the_documented_model_written_as_pydantic_writes_it(
        pycon: None, post: Post, client: TestClient) -> None:
    # Given a receipt with a recorded and a duplicate event, and an id outside ASCII
    order = place_order(order_id="o1") | {"id": "commande-é-1"}
    response = post(order, order)
    # Then its bytes are those of the response model, which the OpenAPI schema names for 201
    assert response.headers["content-type"] == "application/json"
    assert EventsRecorded.model_validate_json(response.content).model_dump_json().encode() == (
        response.content)
    created = client.get("/openapi.json").json()["paths"][URL.replace("pycon", "{slug}")]["post"][
        "responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/EventsRecorded"}


@pytest.mark.parametrize("content_type", [
    "application/cloudevents+json", "application/cloudevents-batch+json", "application/json",
    "application/json; charset=utf-8"])
def test_cloudevents_and_json_content_types_are_accepted(
        pycon: None, client: TestClient, admin_headers: dict[str, str], content_type: str) -> None:
    # A single event object (not an array) is a batch of one
    response = client.post(URL, content=json.dumps(place_order(order_id="o1")),
                           headers=admin_headers | {"Content-Type": content_type})
    assert response.status_code == 201
    assert response.json()["recorded"] == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "multipart/form-data; boundary=x", None])
def test_other_content_types_are_415(client: TestClient, admin_headers: dict[str, str],
                                     head: Callable[[], int], content_type: str | None) -> None:
    headers = admin_headers | ({"Content-Type": content_type} if content_type else {})
    response = client.post(URL, content=json.dumps(configure_conference()), headers=headers)
    assert_problem(response, 415)
    assert head() == 0


@pytest.fixture
def small_limits(services: Services) -> TestClient:
    """A client on an app whose body limit is 4 KiB and batch limit 3 events."""
    settings = services.settings.model_copy(update={"max_body_bytes": 4096,
                                                    "max_batch_events": 3})
    small = dataclasses.replace(services, settings=settings)
    return TestClient(create_app(settings, services=small))


def test_a_batch_over_the_event_limit_is_413(small_limits: TestClient,
                                             admin_headers: dict[str, str],
                                             head: Callable[[], int]) -> None:
    batch = [configure_conference(), define_ticket(), place_order(), pay()]
    response = small_limits.post(URL, json=batch, headers=admin_headers)
    assert_problem(response, 413, (None, "", "batch-too-large"))
    assert head() == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_byte_limit_is_413(small_limits: TestClient,
                                           admin_headers: dict[str, str],
                                           head: Callable[[], int], chunked: bool) -> None:
    body = json.dumps([configure_conference(name="x" * 5000)]).encode()
    content: Any = iter([body[:3000], body[3000:]]) if chunked else body
    response = small_limits.post(URL, content=content,
                                 headers=admin_headers | {"Content-Type": "application/json"})
    assert_problem(response, 413)
    assert head() == 0


def test_reading_an_oversized_body_stops_at_the_limit(small_limits: TestClient,
                                                      admin_headers: dict[str, str]) -> None:
    # Given a sender streaming an endless body without Content-Length
    received: list[int] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b" " * 1024, "more_body": True}

    # When the app reads it, then it answers 413 after reading just past the 4 KiB limit
    sent = asyncio.run(_call(small_limits.app, receive, admin_headers))
    assert sent[0]["status"] == 413
    assert len(received) == 5


async def _call(app: Any, receive: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    raw_headers = [(k.lower().encode(), v.encode()) for k, v in
                   (headers | {"Content-Type": "application/json"}).items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": URL, "raw_path": URL.encode(), "query_string": b"",
             "root_path": "", "headers": raw_headers, "client": ("127.0.0.1", 1),
             "server": ("testserver", 80)}
    await app(scope, receive, send)
    return sent
