"""Speakers and travel grants: synced from the CFP and grants systems, each update a new event."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.base import LedgerAggregate


@dataclass(frozen=True)
class SpeakerFields:
    speaker_id: str
    name: str
    email: str
    customer_id: str | None
    talk_count: int


@dataclass(frozen=True)
class GrantFields:
    grant_id: str
    status: str
    requested_amount: Decimal
    approved_amount: Decimal | None
    disbursed_amount: Decimal | None


GRANT_STATUSES = ("submitted", "withdrawn", "info_needed", "offered", "need_more", "rejected",
                  "declined", "accepted", "disbursed")


class Speaker(LedgerAggregate):
    """A speaker, as the CFP system last described them."""

    kind = "speaker"

    class Synced(LedgerAggregate.Created, SpeakerFields):
        TYPE = "speaker.synced"

    class Resynced(LedgerAggregate.Event, SpeakerFields):
        TYPE = "speaker.synced"


class TravelGrant(LedgerAggregate):
    """A travel grant application and what was approved and paid out."""

    kind = "travel-grant"

    class Updated(LedgerAggregate.Created, GrantFields):
        TYPE = "travel_grant.updated"

    class Reupdated(LedgerAggregate.Event, GrantFields):
        TYPE = "travel_grant.updated"
