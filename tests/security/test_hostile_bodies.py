"""Hostile request bodies for the events endpoint: too large (by Content-Length or streamed),
too many events, nested deep enough to blow a recursive parser, not JSON at all, or declared as
something other than JSON. Each is refused with a problem document naming what is wrong, and
nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from api.settings import Settings
from tests.factories import cancel_order, place_order
from tests.security.hostile import EVENTS, assert_problem, assert_refused, marks, post_raw

pytestmark = pytest.mark.usefixtures("conferences")


@pytest.fixture
def ingest(make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('ingest', 'pycon')}"}


def chunks(total: int, size: int = 1 << 16) -> Iterator[bytes]:
    """A streamed body of `total` bytes (no Content-Length): a JSON array of spaces."""
    yield b"["
    for _ in range(total // size):
        yield b" " * size
    yield b"]"


def test_a_body_over_the_limit_is_refused_whether_declared_or_streamed(
        client: TestClient, services: Services, settings: Settings,
        ingest: dict[str, str]) -> None:
    before = marks(services)
    declared = post_raw(client, b" " * (settings.max_body_bytes + 1), ingest)
    assert_problem(declared, 413)
    streamed = client.post(EVENTS, content=chunks(settings.max_body_bytes + 1),
                           headers=ingest | {"content-type": "application/json"})
    assert_problem(streamed, 413)
    assert marks(services) == before


def test_a_batch_over_the_limit_is_refused_whole(client: TestClient, services: Services,
                                                 settings: Settings,
                                                 ingest: dict[str, str]) -> None:
    batch = [place_order(order_id=f"big{n}") for n in range(settings.max_batch_events + 1)]
    before = marks(services)
    errors = assert_refused(client.post(EVENTS, json=batch, headers=ingest), 413)
    assert [e["code"] for e in errors] == ["batch-too-large"]
    assert marks(services) == before


def nested(depth: int, opening: str = "[", closing: str = "]", core: str = "") -> str:
    return opening * depth + core + closing * depth


DEEP_BODIES = {
    "arrays-10000": nested(10_000),
    "objects-10000": nested(10_000, '{"a":', "}", "1"),
    "arrays-100000": nested(100_000),
    "data-900": json.dumps([cancel_order(order_id="o1")]).replace(
        '"order_id": "o1"', '"order_id": "o1", "reason": ' + nested(900)),
    "data-10000": json.dumps([cancel_order(order_id="o1")]).replace(
        '"order_id": "o1"', '"order_id": "o1", "reason": ' + nested(10_000)),
    "extension-900": json.dumps([cancel_order(order_id="o1")])[:-2] + ', "ext": '
    + nested(900) + "}]",
}


def test_deeply_nested_json_is_refused_not_a_crash(client: TestClient, services: Services,
                                                    ingest: dict[str, str],
                                                    subtests: pytest.Subtests) -> None:
    for name, body in DEEP_BODIES.items():
        with subtests.test(name):
            before = marks(services)
            assert_refused(post_raw(client, body, ingest), 422)
            assert marks(services) == before


GARBAGE = {"empty": b"", "null": b"null", "empty-array": b"[]", "string": b'"order.placed"',
           "number": b"42", "true": b"true", "truncated": b'[{"id": "x"', "nan": b"[NaN]",
           "infinity": b'[{"x": Infinity}]', "invalid-utf8": b"[\xff\xfe\xfd]",
           "utf16": '[{"id": "x"}]'.encode("utf-16"), "bom": b"\xef\xbb\xbf[]",
           "trailing": b"[] []", "huge-number": b"[" + b"9" * 5000 + b"]",
           "array-of-nulls": b"[null, null]", "array-of-arrays": b"[[], []]"}


def test_a_body_that_is_not_a_cloudevent_batch_is_refused(
        client: TestClient, services: Services, ingest: dict[str, str],
        subtests: pytest.Subtests) -> None:
    for name, body in GARBAGE.items():
        with subtests.test(name):
            before = marks(services)
            assert_refused(post_raw(client, body, ingest), 422)
            assert marks(services) == before


CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/xml",
                 "application/json-patch+json", "text/json", "", "application/octet-stream",
                 "application/cloudevents+xml"]


def test_a_body_declared_as_anything_but_json_is_refused(
        client: TestClient, services: Services, ingest: dict[str, str],
        subtests: pytest.Subtests) -> None:
    body = json.dumps([place_order(order_id="ct1")])
    for content_type in CONTENT_TYPES:
        with subtests.test(content_type):
            before = marks(services)
            assert_problem(post_raw(client, body, ingest, content_type=content_type), 415)
            assert marks(services) == before


def test_a_huge_string_under_the_body_limit_is_refused_by_field(
        client: TestClient, services: Services, settings: Settings,
        ingest: dict[str, str]) -> None:
    huge = "x" * (settings.max_body_bytes - 10_000)
    before = marks(services)
    response = client.post(EVENTS, json=[place_order(order_id="h1", name=huge)], headers=ingest)
    errors = assert_refused(response, 422)
    assert [(e["field"], e["code"]) for e in errors] == [("data.customer.name", "too-long")]
    assert huge[:1000] not in response.text  # the answer does not echo it back
    assert marks(services) == before
