"""What an auditor reads straight from the event log: pages of events with their chain links,
one entity's history with its state after each event, and verification of the hash chain.

Every function reads the ledger's own tables (the library's stored events, joined by position with
`confledger_chain`), never a read model, except that a payment is found on its order through the
journal's payment index. Verification recomputes each link from the exact stored bytes, so a row
edited directly in the database breaks the chain at its position. It proves the log was not edited
*after the head an auditor was given*: every report names that head (`chain_head`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from ledger import money
from ledger.attendees import Attendee
from ledger.base import LedgerAggregate, entity_id
from ledger.carts import Cart
from ledger.conference import Conference
from ledger.credits import Credit
from ledger.expenses import Expense
from ledger.orders import Order
from ledger.people import Speaker, TravelGrant
from ledger.purchase_orders import PurchaseOrder
from ledger.schemas import RATE_FIELDS
from projections.db import Database
from projections.eventlog.chain import CHAIN_TABLE, GENESIS, link
from projections.journal.projection import PAYMENTS
from projections.store import SqlReader

PAGE = 1000
TIMELINE_POSITIONS = 50_000  # positions a replay selects at a time
TIMELINE_PAGE = 5_000  # events it reads and decodes at a time
# Over a conference's events in a range: the last position, the latest effective and recorded
# times (epoch microseconds), and how many were linked without times.
Span = tuple[int | None, int, int, int]
KINDS: dict[str, type[LedgerAggregate]] = {
    "order": Order, "payment": Order, "credit": Credit, "purchase-order": PurchaseOrder,
    "attendee": Attendee, "cart": Cart, "expense": Expense, "speaker": Speaker,
    "travel-grant": TravelGrant, "conference": Conference}
# Kinds whose every event describes the entity whole (a sync), so that event's data is its state.
DESCRIBED_BY_LATEST = frozenset({"speaker", "travel-grant"})


class EventLog:
    """SQL over the library's events table and the chain table, on SQLite or PostgreSQL."""

    def __init__(self, recorder: ApplicationRecorder):
        self.database = Database(recorder)
        self.events = recorder.events_table_name  # type: ignore[attr-defined]
        self.position = "notification_id" if self.database.is_postgres else "rowid"

    def chain(self, conference: str | None, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Links after `after` (one conference, or all), each with its stored event if any."""
        where, params = ("c.conference = ? AND ", [conference]) if conference else ("", [])
        return self.database.query(
            f"SELECT c.position, c.conference, c.hash, c.prev_hash, e.originator_id, "
            f"e.originator_version, e.topic, e.state FROM {CHAIN_TABLE} c "
            f"LEFT JOIN {self.events} e ON e.{self.position} = c.position "
            f"WHERE {where}c.position > ? ORDER BY c.position LIMIT ?", [*params, after, limit])

    def unchained(self) -> int | None:
        """The first stored event that has no chain link (one inserted behind the ledger's back)."""
        found = self.database.query(
            f"SELECT MIN(e.{self.position}) FROM {self.events} e LEFT JOIN {CHAIN_TABLE} c "
            f"ON c.position = e.{self.position} WHERE c.position IS NULL")
        return found[0][0] if found else None

    def of_aggregate(self, aggregate_id: UUID) -> list[tuple[Any, ...]]:
        key = aggregate_id if self.database.is_postgres else aggregate_id.hex
        return self.database.query(
            f"SELECT {self.position}, originator_id, originator_version, topic, state "
            f"FROM {self.events} WHERE originator_id = ? ORDER BY originator_version", [key])

    def span(self, conference: str, after: int, upto: int) -> Span:
        """Over `conference`'s events in (after, upto]: the last position, the latest effective
        and recorded times (epoch microseconds), and how many were linked without times."""
        found = self.database.query(
            f"SELECT MAX(position) AS last, MAX(effective_at) AS effective, MAX(recorded_at) AS "
            f"recorded, SUM(CASE WHEN effective_at IS NULL OR recorded_at IS NULL THEN 1 ELSE 0 "
            f"END) AS untimed FROM {CHAIN_TABLE} "
            "WHERE conference = ? AND position > ? AND position <= ?", [conference, after, upto])
        last, effective, recorded, untimed = found[0]
        return last, int(effective or 0), int(recorded or 0), int(untimed or 0)

    def timeline(self, conference: str, after: int, *, stop: int | None,
                 effective: int | None, recorded: int | None) -> Iterator[Notification]:
        """`conference`'s stored events after `after` (through `stop`) whose times in the
        timeline pass the cut-offs (epoch microseconds) or are unknown, in position order.

        Positions are selected first, many at a time: whenever late-recorded events may pass,
        the scan runs to the log's end, so it is made once rather than once per page of events.
        Then only the events it names are read, a page at a time."""
        while True:
            positions = self._positions(conference, after, stop, effective, recorded)
            for first in range(0, len(positions), TIMELINE_PAGE):
                yield from self._events_at(positions[first:first + TIMELINE_PAGE])
            if len(positions) < TIMELINE_POSITIONS:
                return
            after = positions[-1]

    def _positions(self, conference: str, after: int, stop: int | None, effective: int | None,
                   recorded: int | None) -> list[int]:
        clauses, params = ["conference = ?", "position > ?"], [conference, after]
        if stop is not None:
            clauses.append("position <= ?")
            params.append(stop)
        for column, bound in (("effective_at", effective), ("recorded_at", recorded)):
            if bound is not None:
                clauses.append(f"({column} <= ? OR {column} IS NULL)")
                params.append(bound)
        found = self.database.query(
            f"SELECT position FROM {CHAIN_TABLE} WHERE {' AND '.join(clauses)} "
            "ORDER BY position LIMIT ?", [*params, TIMELINE_POSITIONS])
        return [position for (position,) in found]

    def _events_at(self, positions: list[int]) -> list[Notification]:
        if not positions:
            return []
        found = self.database.query(
            f"SELECT {self.position}, originator_id, originator_version, topic, state "
            f"FROM {self.events} WHERE {self.position} IN ({', '.join('?' * len(positions))}) "
            f"ORDER BY {self.position}", positions)
        return [_stored(*row) for row in found]

    def head(self, conference: str, position: int) -> str | None:
        found = self.database.query(
            f"SELECT hash FROM {CHAIN_TABLE} WHERE conference = ? AND position <= ? "
            "ORDER BY position DESC LIMIT 1", [conference, position])
        return found[0][0] if found else None


def chain_head(recorder: ApplicationRecorder, conference: str, position: int) -> str | None:
    """The conference's chain hash at `position` (its latest link at or before it)."""
    return EventLog(recorder).head(conference, position)


def _stored(position: int, originator_id: Any, version: int, topic: str,
            state: Any) -> Notification:
    return Notification(id=position, originator_id=UUID(str(originator_id)),
                        originator_version=version, topic=topic, state=bytes(state))


# Event log ------------------------------------------------------------------------------------

def event_page(ledger: Application, conference: str, *, after: int,
               limit: int) -> dict[str, Any] | None:
    """`{"events": [...], "next": POS|None}`: the conference's events after position `after`;
    None when the conference was never configured."""
    found = ledger.conference(conference)  # type: ignore[attr-defined]
    if found is None:
        return None
    rows = [r for r in EventLog(ledger.recorder).chain(conference, after, limit + 1)
            if r[6] is not None]
    events = []
    for position, _, hash_, prev_hash, *stored in rows[:limit]:
        event = ledger.mapper.to_domain_event(_stored(position, *stored))
        events.append({**_describe(event, position, found.currency),
                       "hash": hash_, "prev_hash": prev_hash})
    return {"events": events, "next": events[-1]["position"] if len(rows) > limit else None}


def _describe(event: Any, position: int, currency: str) -> dict[str, Any]:
    return {"position": position, "source": event.source, "id": event.source_id,
            "type": event.type_name(), "time": event.effective_at.isoformat(),
            "recorded_at": event.timestamp.isoformat(),
            "data": json_safe(event.data(), currency)}


# Entity history -------------------------------------------------------------------------------

def entity_history(ledger: Application, conference: str, kind: str,
                   key: str) -> dict[str, Any] | None:
    """Every event of one entity with its state after each; None if it has none."""
    found = ledger.conference(conference)  # type: ignore[attr-defined]
    if kind not in KINDS or found is None:
        return None
    if kind == "payment":
        steps = _payment_steps(ledger, conference, key)
    else:
        steps = [(position, event, _state(kind, event, aggregate)) for position, event, aggregate
                 in _replay(ledger, entity_id(conference, KINDS[kind].kind, key))]
    events = [{**_describe(event, position, found.currency),
               "state": json_safe(state, found.currency)} for position, event, state in steps]
    return {"kind": kind, "id": key, "events": events} if events else None


Step = tuple[int, Any, Any]


def _replay(ledger: Application, aggregate_id: UUID) -> Iterator[Step]:
    """(position, event, aggregate after it) for each event of one aggregate, in order."""
    aggregate = None
    for position, *stored in EventLog(ledger.recorder).of_aggregate(aggregate_id):
        event = ledger.mapper.to_domain_event(_stored(position, *stored))
        aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
        yield position, event, aggregate


def _state(kind: str, event: Any, aggregate: Any) -> dict[str, Any]:
    """The aggregate's public attributes (for a sync-described kind, the latest description)."""
    if kind in DESCRIBED_BY_LATEST:
        return dict(event.data())
    return {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}


def _payment_steps(ledger: Application, conference: str, payment_id: str) -> list[Step]:
    """A payment's events on its order(s), found through the journal's payment index; the state
    is the payment as its order holds it."""
    index = SqlReader(Database(ledger.recorder)).many(PAYMENTS, conference,
                                                      where={"payment_id": payment_id})
    steps = [(position, event, order.payments.get(payment_id))
             for row in index
             for position, event, order in _replay(ledger, entity_id(conference, Order.kind,
                                                                      row["order_id"]))
             if getattr(event, "payment_id", None) == payment_id]
    return sorted(steps, key=lambda step: step[0])


# Chain verification ---------------------------------------------------------------------------

UNCHAINED = "a stored event has no chain link"


def verify_chain(recorder: ApplicationRecorder, conference: str | None = None) -> dict[str, Any]:
    """Recompute the hash chain of one conference (or of all, and find unchained events).

    `{"ok": True, "events": n, "head": hash}` (all conferences: `"heads": {slug: hash}`), or
    `{"ok": False, "events": n verified before it, "first_bad_position": P, "reason": ...}`.
    """
    log = EventLog(recorder)
    stray = None if conference else log.unchained()
    heads: dict[str, str] = {}
    count, after = 0, 0
    while page := log.chain(conference, after, PAGE):
        for position, slug, hash_, prev_hash, *stored in page:
            if stray is not None and stray < position:
                return _failure(count, stray, UNCHAINED)
            reason = _broken(position, hash_, prev_hash, heads.get(slug, GENESIS), stored)
            if reason is not None:
                return _failure(count, position, reason)
            heads[slug] = hash_
            count += 1
        after = page[-1][0]
    if stray is not None:
        return _failure(count, stray, UNCHAINED)
    if conference is not None:
        return {"ok": True, "events": count, "head": heads.get(conference)}
    return {"ok": True, "events": count, "heads": heads}


def _broken(position: int, hash_: str, prev_hash: str, expected_prev: str,
            stored: list[Any]) -> str | None:
    """Why the link at `position` does not verify, or None when it does."""
    if stored[2] is None:
        return "the stored event at this position is missing"
    if prev_hash != expected_prev:
        return "the link's prev_hash is not the hash of the conference's previous event"
    event = StoredEvent(originator_id=UUID(str(stored[0])), originator_version=stored[1],
                        topic=stored[2], state=bytes(stored[3]))
    if link(prev_hash, position, event) != hash_:
        return "the stored event or its hash was changed after it was recorded"
    return None


def _failure(count: int, position: int, reason: str) -> dict[str, Any]:
    return {"ok": False, "events": count, "first_bad_position": position, "reason": reason}


# JSON-safe values -----------------------------------------------------------------------------

def json_safe(value: Any, currency: str, name: str = "", parent: Any = None) -> Any:
    """`value` as JSON: money as strings in the currency's minor digits, rates as sent,
    times ISO 8601, sets as sorted lists, dataclasses as objects."""
    if isinstance(value, Decimal):
        return str(value) if _is_rate(name, parent) else money.text(value, currency)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): json_safe(v, currency, str(k), value) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(json_safe(v, currency) for v in value)
    if isinstance(value, (list, tuple)):
        return [json_safe(v, currency) for v in value]
    if isinstance(value, UUID):
        return str(value)
    return value


def _is_rate(name: str, parent: Any) -> bool:
    """A percentage, not money: the card fee percent, a percentage discount's value."""
    if name in RATE_FIELDS:
        return True
    kinds = (parent.get("voucher_type"), parent.get("discount_type")) if isinstance(
        parent, dict) else ()
    return name == "discount_value" and "percentage" in kinds
