"""Ingest through the real HTTP API: batches from one keep-alive client, and single events from
several concurrent clients.

Concurrent single-event posts must not depend on each other's order, so the events are split into
independent stories first: events that share an entity key (order, cart, attendee, payment,
customer, credit, purchase order, expense, grant, speaker) belong to one story, and each client
sends whole stories, in their original order. The catalogue (conference, products, vouchers,
conditions, expense categories: events without an entity key) is recorded first, in one batch.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from bench.measure import Latency, per_second

Event = dict[str, Any]
BATCH = "application/cloudevents-batch+json"
SINGLE = "application/cloudevents+json"
ENTITY_KEYS = ("order_id", "cart_id", "attendee_id", "payment_id", "customer_id", "credit_id",
               "po_id", "expense_id", "grant_id", "speaker_id", "refund_id")


@dataclass(frozen=True)
class Ingest:
    """How fast a set of events went in, and how long each request took."""

    events: int
    seconds: float
    latency: Latency

    @property
    def rate(self) -> float:
        return per_second(self.events, self.seconds)


class IngestFailed(RuntimeError):
    """Raised when the API refuses a request the benchmark expected it to accept."""


class Poster(Protocol):
    """An HTTP client that can post (httpx's, or the benchmark's lighter keep-alive one)."""

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any: ...


def post(client: Poster, slug: str, body: Any, media_type: str) -> float:
    """POST events; return the request's seconds; raise IngestFailed unless 200/201."""
    content = json.dumps(body).encode()
    started = time.perf_counter()
    response = client.post(f"/api/v1/conferences/{slug}/events", content=content,
                           headers={"Content-Type": media_type})
    seconds = time.perf_counter() - started
    if response.status_code not in (200, 201):
        raise IngestFailed(f"POST {slug}: HTTP {response.status_code}: {response.text[:800]}")
    return seconds


def ingest_batches(client: httpx.Client, slug: str, events: Sequence[Event], size: int = 500,
                   advance: Callable[[int], None] = lambda _n: None) -> Ingest:
    """Post `events` in order, `size` per request, one request at a time."""
    seconds: list[float] = []
    started = time.perf_counter()
    for start in range(0, len(events), size):
        batch = list(events[start:start + size])
        seconds.append(post(client, slug, batch, BATCH))
        advance(len(batch))
    return Ingest(len(events), time.perf_counter() - started, Latency.of(seconds))


def ingest_concurrently(clients: Sequence[Poster], slug: str,
                        events: Sequence[Event],
                        advance: Callable[[int], None] = lambda _n: None) -> Ingest:
    """Record the catalogue, then post every other event alone, one client thread per share."""
    catalogue, shares = split_for_clients(events, len(clients))
    post(clients[0], slug, catalogue, BATCH)
    seconds: list[list[float]] = [[] for _ in clients]
    failures: list[Exception] = []

    def send(index: int) -> None:
        try:
            for event in shares[index]:
                seconds[index].append(post(clients[index], slug, event, SINGLE))
                advance(1)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    every = [s for share in seconds for s in share]
    return Ingest(len(every), elapsed, Latency.of(every))


def split_for_clients(events: Sequence[Event], clients: int) -> tuple[list[Event],
                                                                      list[list[Event]]]:
    """The catalogue, and `clients` shares of whole independent stories (balanced by size)."""
    catalogue = [e for e in events if not entity_keys(e)]
    stories = stories_of([e for e in events if entity_keys(e)])
    shares: list[list[Event]] = [[] for _ in range(clients)]
    for story in sorted(stories, key=len, reverse=True):
        min(shares, key=len).extend(story)
    # A share's stories are independent of each other; only each story's own order matters,
    # but sending the share in time order keeps the traffic realistic.
    order = {id(e): n for n, e in enumerate(events)}
    return catalogue, [sorted(share, key=lambda e: order[id(e)]) for share in shares]


def stories_of(events: Iterable[Event]) -> list[list[Event]]:
    """Group events into stories: connected by any shared entity key, each in original order."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    listed = list(events)
    for event in listed:
        first, *others = entity_keys(event)
        for other in others:
            parent[root(other)] = root(first)
    stories: dict[str, list[Event]] = {}
    for event in listed:
        stories.setdefault(root(entity_keys(event)[0]), []).append(event)
    return list(stories.values())


def entity_keys(event: Event) -> list[str]:
    """Every entity key an event names, as "field=value" (nested customer ids included)."""
    data = event.get("data") or {}
    keys = [f"{name}={data[name]}" for name in ENTITY_KEYS if data.get(name)]
    customer = data.get("customer")
    if isinstance(customer, dict) and customer.get("customer_id"):
        keys.append(f"customer_id={customer['customer_id']}")
    return keys
