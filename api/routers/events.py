"""Ingestion: one CloudEvent or a JSON array of them in, recorded all or nothing, a receipt out.

The body is streamed and reading stops as soon as it passes `max_body_bytes`, so an oversized body
is refused (413) before any of it is parsed. The ledger is blocking, so batches are recorded by the
intake threads (`api/intake.py`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from api.deps import Ingester, ServicesDep, Slug
from api.errors import MalformedBody, PayloadTooLarge, UnsupportedMediaType, field_error
from ledger.application import Receipt

router = APIRouter(prefix="/api/v1/conferences/{slug}", tags=["events"])

MEDIA_TYPES = frozenset({"application/cloudevents+json", "application/cloudevents-batch+json",
                         "application/json"})


class EventOutcome(BaseModel):
    """What happened to one event of the batch."""

    index: int
    id: str
    source: str
    status: Literal["recorded", "duplicate"]
    position: int


class EventsRecorded(BaseModel):
    """The receipt of a batch: counts, the last position and one outcome per event."""

    recorded: int
    duplicates: int
    position: int
    events: list[EventOutcome]


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/problem+json": {}}}
    for status, description in [
        (401, "no valid token"), (403, "the token does not cover this conference or role"),
        (409, "the books refuse an event"), (413, "body or batch over the limit"),
        (415, "unsupported content type"), (422, "an event is invalid on its own")]
}


@router.post("/events", status_code=201, response_model=EventsRecorded, responses=PROBLEMS)
async def create_events(slug: Slug, request: Request, _caller: Ingester,
                        services: ServicesDep) -> Response:
    """Record one CloudEvent or a batch of them, atomically; 200 when all were duplicates."""
    check_media_type(request.headers.get("content-type", ""))
    body = await read_body(request, services.settings.max_body_bytes)
    events = as_batch(decode(body), services.settings.max_batch_events)
    receipt = await services.ingest(slug, events, now=datetime.now(UTC))
    return receipt_response(receipt)


def receipt_response(receipt: Receipt) -> Response:
    """The receipt, as the `EventsRecorded` model writes it, written by orjson: building and
    validating the model's 500 outcomes of a batch cost more than the rest of the HTTP layer."""
    content = orjson.dumps({"recorded": receipt.recorded, "duplicates": receipt.duplicates,
                            "position": receipt.position, "events": receipt.outcomes})
    return Response(content, status_code=201 if receipt.recorded else 200,
                    media_type="application/json")


def check_media_type(content_type: str) -> None:
    """Refuse (415) a body that is not declared as JSON CloudEvents."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise UnsupportedMediaType(f"send one of {', '.join(sorted(MEDIA_TYPES))}")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk; 413 as soon as it passes `limit` bytes."""
    too_large = PayloadTooLarge(f"the body is larger than {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def decode(body: bytes) -> Any:
    """The JSON document in `body`; 422 when it is not JSON."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise MalformedBody("the body is not valid JSON", errors=[
            field_error("invalid-json", message)]) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def as_batch(document: Any, limit: int) -> list[Any]:
    """The events of a single-event or batch body; 422 if neither, 413 past `limit` events."""
    events = document if isinstance(document, list) else [document]
    if not isinstance(document, (dict, list)) or not events:
        raise MalformedBody("send a CloudEvent object or a non-empty array of them", errors=[
            field_error("not-a-batch", "expected a JSON object or a non-empty JSON array")])
    if len(events) > limit:
        raise PayloadTooLarge(f"a batch holds at most {limit} events; this one has {len(events)}",
                              errors=[field_error("batch-too-large",
                                                  f"at most {limit} events per batch")])
    return events
