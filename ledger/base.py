"""What every Confledger aggregate and domain event shares.

Each domain event carries the envelope of the CloudEvent that caused it: the conference it
belongs to, the sender's `source` and `source_id`, and the business `effective_at` time. The
library's own `timestamp` is the *recorded* time. An aggregate's id is derived from (conference,
kind, key), so the same order id in two conferences names two orders.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

_NAMESPACE = uuid5(NAMESPACE_URL, "https://confledger.dev/entities")


@lru_cache(maxsize=65536)
def entity_id(conference: str, kind: str, key: str) -> UUID:
    """The aggregate id of entity `key` of `kind` in `conference`."""
    return uuid5(_NAMESPACE, f"{conference}\x1f{kind}\x1f{key}")


class LedgerAggregate(Aggregate):
    """Base aggregate: its events carry the CloudEvent envelope."""

    kind: ClassVar[str] = "entity"

    class Event(Aggregate.Event):
        """A domain event with its envelope. `TYPE` names the CloudEvent type it records."""

        TYPE = ""
        DERIVED = cast(tuple[str, ...], ())  # fields the ledger derived, not the sender's data
        conference: str
        source: str
        source_id: str
        effective_at: datetime

        def data(self) -> dict[str, Any]:
            """The event's business fields, as the sender's `data` object named them."""
            skip = {"originator_id", "originator_version", "timestamp", "originator_topic",
                    "conference", "source", "source_id", "effective_at"}
            return {k: v for k, v in vars(self).items()
                    if k not in skip and k not in self.DERIVED}

        def type_name(self) -> str:
            """The CloudEvent type this event records."""
            return self.TYPE

    class Created(Event, Aggregate.Created):
        """The first event of an aggregate."""

    def __init__(self) -> None:
        """State is assigned by the Created event's apply()."""


Envelope = dict[str, Any]
"""Keyword arguments every triggered event receives: conference, source, source_id, effective_at."""
