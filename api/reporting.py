"""Answering a report request: live read models or a replay, provenance, `min_position` waits.

Live answers read the read-model tables and name the position they reflect (the lowest position
of the read models the report reads). `as_of` / `known_at` answers replay history into memory
through the same projections and name the last event they include. Both also name the
conference's hash-chain head at that position, so an auditor can check later that the log behind
the answer was not edited.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.auth import Principal
from api.errors import Forbidden, Problem, field_error
from api.projectors import projections_named
from api.services import Services
from projections.audit import chain_head
from projections.catalogue import reports
from projections.replay import replay
from projections.reports import Body, Context, FilterError, Report
from projections.runner import wait_for
from projections.store import SqlReader, TableStore
from projections.tables import Reader

COMMON = ("as_of", "known_at", "min_position")


class ReportNotFound(Problem):
    """Raised for a report name the ledger does not have."""

    status, kind, title = 404, "report-not-found", "No such report"


class ConferenceNotFound(Problem):
    """Raised when a reachable conference has never been configured."""

    status, kind, title = 404, "conference-not-found", "No such conference"


class BadFilter(Problem):
    """Raised when a query parameter is malformed or not a filter of the report."""

    status, kind, title = 422, "invalid-filter", "Invalid report filter"


class NotCaughtUp(Problem):
    """Raised when the read models did not reach `min_position` in time."""

    status, kind, title = 503, "not-caught-up", "Read models are behind"


@dataclass(frozen=True)
class Answer:
    """A report's body with what it reflects."""

    report: Report
    reader: Reader
    context: Context
    position: int
    as_of: datetime | None
    known_at: datetime | None
    chain_head: str | None
    closed_periods: tuple[str, ...] = ()

    def meta(self) -> dict[str, Any]:
        return {"conference": self.context.conference, "report": self.report.name,
                "position": self.position,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "known_at": self.known_at.isoformat() if self.known_at else None,
                "chain_head": self.chain_head,
                "closed_periods": list(self.closed_periods),
                "generated_at": datetime.now(UTC).isoformat()}

    def body(self) -> Body:
        """The answer, its live tables read in one transaction (replays read memory)."""
        reading = (self.reader.in_one_transaction() if isinstance(self.reader, SqlReader)
                   else nullcontext(self.reader))
        try:
            with reading as reader:
                return {**self.meta(), **self.report.build(reader, self.context)}
        except FilterError as error:
            raise _bad(error.parameter, str(error)) from None

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        """The CSV rows, with the first already read: filters are checked while a 422 can
        still be answered, not after the 200 and the header have gone out."""
        try:
            rows = self.report.rows_for_csv(self.reader, self.context)
            first = next(rows, None)
        except FilterError as error:
            raise _bad(error.parameter, str(error)) from None
        return rows if first is None else itertools.chain([first], rows)


def prepare(services: Services, slug: str, name: str, params: dict[str, str],
            principal: Principal) -> Answer:
    """Find the report, check the caller's role and the filters, pick live tables or a replay."""
    report = reports().get(name)
    if report is None:
        raise ReportNotFound("there is no report by that name; the contract lists them (§4)")
    if not principal.may(report.role):
        raise Forbidden()
    unknown = sorted(set(params) - set(report.filters) - set(COMMON))
    if unknown:
        raise _bad(unknown[0], f"{unknown[0]} is not a filter of the {name} report "
                               f"(filters: {', '.join(report.filters + COMMON)})")
    conference = services.ledger.conference(slug)
    if conference is None:
        raise ConferenceNotFound(f"conference {slug!r} is not configured")
    zone = ZoneInfo(conference.timezone)
    as_of = _moment(params, "as_of", zone)
    known_at = _moment(params, "known_at", zone)
    filters = {k: v for k, v in params.items() if k not in COMMON}
    if as_of is None and known_at is None:
        return _live(services, report, slug, conference, filters, params)
    if not principal.may("auditor"):
        raise Forbidden()
    now = datetime.now(UTC)
    if known_at is not None and known_at > now:
        raise _bad("known_at", "known_at is in the future: what the ledger will know is unknown")
    history = replay(services.ledger, projections_named(report.read_models), slug, as_of=as_of,
                     known_at=known_at)
    context = Context(slug, conference.currency, conference.timezone, as_of or known_at or now,
                      filters)
    return Answer(report, history.rows, context, history.position, as_of, known_at,
                  chain_head(services.ledger.recorder, slug, history.position),
                  tuple(sorted(conference.closed_through)))


def _live(services: Services, report: Report, slug: str, conference: Any,
          filters: dict[str, str], params: dict[str, str]) -> Answer:
    store = TableStore(services.database)

    def position() -> int:
        positions = store.positions()
        return min(positions.get(name, 0) for name in report.read_models)

    wanted = params.get("min_position")
    if wanted is not None:
        if not wanted.isdigit():
            raise _bad("min_position", "min_position must be a whole number")
        if not wait_for(position, int(wanted), services.settings.min_position_wait):
            raise NotCaughtUp(f"the read models have not reached position {wanted} yet",
                              headers={"Retry-After": "1"})
    context = Context(slug, conference.currency, conference.timezone,
                      datetime.now(UTC), filters)
    at = position()
    return Answer(report, SqlReader(services.database), context, at, None, None,
                  chain_head(services.ledger.recorder, slug, at),
                  tuple(sorted(conference.closed_through)))


def _moment(params: dict[str, str], name: str, zone: ZoneInfo) -> datetime | None:
    """RFC 3339 with offset, or a date meaning the end of that day in the conference zone."""
    value = params.get(name)
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).date()
            return datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(
                microseconds=1)
        moment = datetime.fromisoformat(value.upper())
    except ValueError:
        raise _bad(name, f"{name} must be an RFC 3339 time or a date YYYY-MM-DD") from None
    if moment.tzinfo is None:
        raise _bad(name, f"{name} needs a UTC offset, e.g. 2026-09-01T12:00:00+00:00")
    return moment


def _bad(parameter: str, message: str) -> BadFilter:
    return BadFilter(message, errors=[field_error("invalid-filter", message, field=parameter)])
