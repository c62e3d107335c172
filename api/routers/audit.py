"""Audit (contract §5): the event log with its hash chain, entity histories, chain verification,
and closing a period.

Reading the log, histories and verification need the `auditor` role. Closing a period needs
`admin`: it changes what the ledger accepts from every sender, which is more than reading the books,
and an auditor who could close periods would be auditing their own decision.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from api.deps import Admin, Auditor, ServicesDep, Slug
from api.errors import NotFound, Problem, field_error
from projections import audit

router = APIRouter(prefix="/api/v1/conferences/{slug}", tags=["audit"])


class LoggedEvent(BaseModel):
    """One recorded event: envelope, data, effective and recorded time, and its chain link."""

    position: int
    source: str
    id: str
    type: str
    time: str
    recorded_at: str
    data: dict[str, Any]
    hash: str
    prev_hash: str


class EventPage(BaseModel):
    """A page of the log; `next` is the `after` of the next page, null on the last one."""

    events: list[LoggedEvent]
    next: int | None


class HistoryEvent(BaseModel):
    """One event of an entity and the entity's state after it."""

    position: int
    type: str
    time: str
    recorded_at: str
    data: dict[str, Any]
    state: dict[str, Any] | None


class EntityHistory(BaseModel):
    kind: str
    id: str
    events: list[HistoryEvent]


class Verification(BaseModel):
    """The chain verified (`head`), or the first position that does not match and why."""

    ok: bool
    events: int
    head: str | None = None
    first_bad_position: int | None = None
    reason: str | None = None


class PeriodCloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    through: date


class PeriodClosed(BaseModel):
    """The period is closed through `through` (inclusive); `position` records the closing."""

    conference: str
    through: date
    position: int


class PeriodInFuture(Problem):
    """Raised when a period would be closed through a day that has not ended yet."""

    status, kind, title = 422, "period-in-future", "Period not over"


def _missing(slug: str) -> NotFound:
    return NotFound(f"conference {slug!r} is not configured")


@router.get("/events", response_model=EventPage)
def read_events(slug: Slug, services: ServicesDep, _auditor: Auditor,
                after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """The conference's recorded events after position `after`, in order, with hashes."""
    page = audit.event_page(services.ledger, slug, after=after, limit=limit)
    if page is None:
        raise _missing(slug)
    return page


@router.get("/history/{kind}/{entity_id:path}", response_model=EntityHistory)
def read_history(slug: Slug, kind: str, entity_id: str, services: ServicesDep,
                 _auditor: Auditor) -> dict[str, Any]:
    """Every event of one entity with its state after each."""
    history = audit.entity_history(services.ledger, slug, kind, entity_id)
    if history is None:
        raise NotFound("no recorded events for that entity in this conference "
                       f"(kinds: {', '.join(audit.KINDS)})")
    return history


@router.get("/verify", response_model=Verification, response_model_exclude_none=True)
def read_verification(slug: Slug, services: ServicesDep, _auditor: Auditor) -> dict[str, Any]:
    """Recompute the conference's hash chain from the stored events."""
    if services.ledger.conference(slug) is None:
        raise _missing(slug)
    return audit.verify_chain(services.ledger.recorder, slug)


@router.post("/periods/close", status_code=201, response_model=PeriodClosed)
def create_period_close(slug: Slug, request: PeriodCloseRequest, services: ServicesDep,
                        _admin: Admin) -> PeriodClosed:
    """Close the books through a day: later events dated in it need `correctsperiod`."""
    conference = services.ledger.conference(slug)
    if conference is None:
        raise _missing(slug)
    now = datetime.now(UTC)
    if request.through >= now.astimezone(ZoneInfo(conference.timezone)).date():
        raise PeriodInFuture("only a day that has ended in the conference's timezone can be "
                             "closed", errors=[field_error("period-in-future",
                                                           "through must be before today",
                                                           field="through")])
    receipt = services.ledger.close_period(slug, request.through, now=now)
    return PeriodClosed(conference=slug, through=request.through, position=receipt.position)
