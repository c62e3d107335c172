"""The `Ledger` application service: record a batch of incoming events, all or nothing.

A batch is parsed, checked against the books event by event, and saved in one `save()` call, with
its idempotency keys and hash-chain links written in the same database transaction by the event
recorder. A concurrent writer that got there first makes the save fail; the batch is then checked
again from fresh state, so a conflict is retried here and never reaches the sender. Independent
batches that arrived together (`record_many`) are checked one after another, each on its own, and
saved together: each stays all or nothing, and each gets its own answer.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol, cast
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, StoredEvent

from ledger import intake, schemas
from ledger.base import LedgerAggregate
from ledger.batch import Batch
from ledger.commands import HANDLERS, references
from ledger.commit import GroupCommit, Pending
from ledger.conference import Conference
from ledger.errors import IdempotencyConflict, InvalidEvent, LedgerError, UnknownConference
from ledger.histories import Histories, HistoryLost

FUTURE_TOLERANCE = timedelta(hours=24)
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class Books:
    """What a batch is checked against, read at once: the head position, the keys already
    recorded ((source, id) → (content digest, position)) and the stored events of every
    aggregate the batch refers to (by aggregate, then version)."""

    head: int
    known: dict[tuple[str, str], tuple[str, int]]
    stored: list[StoredEvent]


class IntakeIndex(Protocol):
    """What the event recorder tells the ledger beyond the library's interface."""

    def read_books(self, keys: list[tuple[str, str]], ids: list[UUID],
                   after: dict[UUID, int]) -> Books:
        """The books as they stand for a batch with these keys and aggregates, in one read: the
        stored events of each aggregate after its version in `after` (all of them if absent)."""


@dataclass(frozen=True)
class Submission:
    """A batch as sent: its conference, its raw events and when it arrived."""

    slug: str
    raw_events: list[Any]
    now: datetime


@dataclass
class EventError:
    """Why one event of a batch was refused."""

    index: int
    id: str | None
    error: LedgerError


class BatchRefused(Exception):
    """Raised when any event of a batch is refused; nothing of the batch was recorded."""

    def __init__(self, errors: list[EventError]):
        super().__init__(f"{len(errors)} event(s) refused")
        self.errors = errors

    @property
    def invalid(self) -> bool:
        """True when some event is malformed on its own (the API's 422 rather than 409)."""
        return any(isinstance(e.error, InvalidEvent) for e in self.errors)


class LedgerBusy(Exception):
    """Raised when a batch lost the race to concurrent writers every time it was retried; nothing
    of it was recorded and sending it again is safe."""


class BooksMoved(Exception):
    """Raised when events were recorded while a batch was being checked (it is checked again)."""


@dataclass
class Outcome:
    """What happened to one event of a batch."""

    index: int
    id: str
    source: str
    status: str
    position: int


@dataclass
class Receipt:
    """The answer to a batch: one outcome per event, in batch order."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "recorded")

    @property
    def duplicates(self) -> int:
        return len(self.outcomes) - self.recorded

    @property
    def position(self) -> int:
        return max((o.position for o in self.outcomes), default=0)


class Ledger(Application):
    """Records conference events; every status is derived here, never taken from the sender."""

    name = "confledger"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "20000"}

    def __init__(self, env: dict[str, str] | None = None):
        super().__init__(env)
        self._commits = GroupCommit(self._save_events)
        self._histories = Histories(
            lambda stored: cast(LedgerAggregate.Event, self.mapper.to_domain_event(stored)))

    def record(self, slug: str, raw_events: list[Any], *, now: datetime) -> Receipt:
        """Record a batch atomically; raise BatchRefused listing every bad event."""
        result = self.record_many([Submission(slug, raw_events, now)])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def record_many(self, submissions: list[Submission]) -> list[Receipt | Exception]:
        """Record independent batches, each atomically: checked one after another against the
        books, then saved together (one commit, shared with other threads' saves). Each gets its
        receipt, or what refused it (BatchRefused, LedgerBusy, a database error)."""
        results: list[Receipt | Exception | None] = [None] * len(submissions)
        parsed = [self._parse(s.slug, s.raw_events, s.now) for s in submissions]
        todo = list(range(len(submissions)))
        for attempt in range(CONFLICT_RETRIES):
            if attempt:
                time.sleep(random.uniform(0, 0.005 * 2 ** attempt))  # jitter: let others finish
            todo = self._record_round([(i, submissions[i].slug, *parsed[i]) for i in todo],
                                      results)
            if not todo:
                break
        for index in todo:
            results[index] = LedgerBusy(
                f"batch lost {CONFLICT_RETRIES} races to concurrent writers")
        return cast(list[Receipt | Exception], results)

    def _record_round(self, batches: list[tuple[int, str, list[intake.Incoming],
                                                list[EventError]]],
                      results: list[Receipt | Exception | None]) -> list[int]:
        """Check each batch and save those that pass, filling in `results`; return the batches
        that someone else's save overtook (checked again from fresh state)."""
        checked: list[tuple[int, list[Verdict], Pending | None]] = []
        again: list[int] = []
        for index, slug, parsed, invalid in batches:
            try:
                checked.append((index, *self._check_batch(slug, parsed, invalid)))
            except (IntegrityError, BooksMoved, HistoryLost):
                again.append(index)  # someone recorded first: check again against the new state
            except Exception as error:  # refused, or the database failed: this batch's answer
                results[index] = error
        self._commits.submit_all([pending for _, _, pending in checked if pending is not None])
        for index, verdicts, pending in checked:
            try:
                results[index] = self._receipt(verdicts, pending)
            except IntegrityError:
                again.append(index)
            except Exception as error:  # the database failed: this batch's answer
                results[index] = error
        return again

    def _receipt(self, verdicts: list[Verdict], saved: Pending | None) -> Receipt:
        """The receipt of a checked batch once what it had to save is saved; raise what the save
        raised (IntegrityError: a concurrent writer got there first)."""
        if saved is not None and saved.error is not None:
            raise saved.error
        for verdict in verdicts:
            if verdict.recorded and saved is not None:
                verdict.position = saved.positions[verdict.offset]
        return Receipt([verdict.outcome() for verdict in verdicts])

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Every save also hands the recorder each event's effective and recorded times, which
        it keeps beside the log so as-of replays can pick events without decoding them all."""
        events = cast(list[LedgerAggregate.Event], processing_event.events)
        processing_event.saved_kwargs["times"] = [(e.effective_at, e.timestamp) for e in events]
        return super()._record(processing_event)

    def _save_events(self, *events: LedgerAggregate.Event,
                     **kwargs: Any) -> list[Recording[UUID]]:
        """Record domain events already collected from their aggregates, in one transaction.

        This is what `save()` comes to here (no snapshots, nothing listening to `notify`), less
        its test of every object against the library's runtime-checkable protocols, which
        Python 3.11 makes slow: 5 % of the CPU of a batch of 500."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.saved_kwargs.update(kwargs)
        return self._record(processing_event)

    def conference(self, slug: str) -> Conference | None:
        """The configured conference `slug`, or None."""
        batch = Batch(slug, self.repository.get)
        return batch.find(Conference, slug)

    def close_period(self, slug: str, through: Any, *, now: datetime) -> Receipt:
        """Close the books through a date: later events dated inside it are refused."""
        conference = self.conference(slug)
        if conference is None:
            raise UnknownConference(f"conference {slug!r} is not configured", field="conference")
        envelope: dict[str, Any] = {"conference": slug, "source": "confledger",
                    "source_id": f"period.closed/{through.isoformat()}", "effective_at": now}
        conference.close_period(envelope, through)
        events = conference.collect_events()
        recordings = self.save(*events, conference=slug, intake_keys=[])
        return Receipt([Outcome(0, envelope["source_id"], "confledger", "recorded",
                                recordings[0].notification.id)])

    def _parse(self, slug: str, raw_events: list[Any], now: datetime
               ) -> tuple[list[intake.Incoming], list[EventError]]:
        """The well-formed events, and an error for each field of the malformed ones."""
        parsed, errors = [], []
        for index, raw in enumerate(raw_events):
            try:
                incoming = intake.parse(slug, index, raw)
            except intake.BadEvent as bad:
                event_id = raw.get("id") if isinstance(raw, dict) else None
                errors += [EventError(index, _as_id(event_id), e) for e in bad.errors]
                continue
            refused = _time_refused(incoming.envelope.time, now)
            if refused is not None:
                errors.append(EventError(index, incoming.envelope.id, refused))
                continue
            parsed.append(incoming)
        return parsed, errors

    def _check_batch(self, slug: str, parsed: list[intake.Incoming], invalid: list[EventError]
                     ) -> tuple[list[Verdict], Pending | None]:
        """Check the well-formed events against the books; refuse the batch listing every bad
        event (malformed ones included), or return its verdicts and what it has to save."""
        ids = {i for p in parsed for i in references(slug, p.envelope.type, p.data)}
        after = self._histories.versions(ids)
        books = cast(IntakeIndex, self.recorder).read_books(sorted({p.key for p in parsed}),
                                                            sorted(ids), after)
        head, known = books.head, books.known
        batch = Batch(slug, self.repository.get, self._histories.rebuild(ids, books.stored, after))
        errors: list[EventError] = list(invalid)
        verdicts: list[Verdict] = []
        first: dict[tuple[str, str], Verdict] = {}
        for incoming in parsed:
            try:
                verdict = self._check(batch, incoming, known, first.get(incoming.key))
            except LedgerError as error:
                batch.discard()
                errors.append(EventError(incoming.index, incoming.envelope.id, error))
                continue
            verdicts.append(verdict)
            first.setdefault(incoming.key, verdict)
        if errors:
            # Keys are read before aggregates: a concurrent writer committing in between makes a
            # resent event look like a new one whose entity already exists. Check again then.
            if (self.recorder.max_notification_id() or 0) != head:
                raise BooksMoved()
            raise BatchRefused(sorted(errors, key=lambda e: e.index))
        return verdicts, _pending(slug, batch, verdicts)

    def _check(self, batch: Batch, incoming: intake.Incoming,
               known: dict[tuple[str, str], tuple[str, int]], earlier: Verdict | None) -> Verdict:
        """Check one event against the books as the batch has left them so far."""
        if incoming.key in known or earlier is not None:
            digest = (known[incoming.key][0] if incoming.key in known
                      else cast(Verdict, earlier).incoming.digest)
            if digest != incoming.digest:
                raise IdempotencyConflict(
                    f"{incoming.key[0]}/{incoming.key[1]} was already recorded with other content",
                    field="id")
            batch.steps.append([])
            position = known[incoming.key][1] if incoming.key in known else None
            return Verdict(incoming, False, position, earlier)
        batch.begin(incoming, incoming.envelope.time)
        data = incoming.data
        currency = (data.currency if isinstance(data, schemas.ConferenceConfigured)
                    else batch.conference.currency)
        for error in intake.check_money_precision(incoming, currency):
            raise error
        if incoming.envelope.type != "conference.configured":
            batch.conference.check_period_open(incoming.envelope.time,
                                               incoming.envelope.correctsperiod)
        HANDLERS[incoming.envelope.type](batch, incoming.data)
        batch.end()
        return Verdict(incoming, True)


@dataclass
class Verdict:
    """Whether one event of a batch is new (recorded) or repeats an event already recorded."""

    incoming: intake.Incoming
    recorded: bool
    position: int | None = None
    repeats: Verdict | None = None
    offset: int = 0

    def outcome(self) -> Outcome:
        position = self.position if self.repeats is None else self.repeats.position
        return Outcome(self.incoming.index, self.incoming.envelope.id,
                       self.incoming.envelope.source,
                       "recorded" if self.recorded else "duplicate", position or 0)


def _pending(slug: str, batch: Batch, verdicts: list[Verdict]) -> Pending | None:
    """The batch's new events and idempotency keys, to be saved; None when all were duplicates."""
    events: list[LedgerAggregate.Event] = []
    keys: list[tuple[str, str, str, int]] = []
    for verdict, step in zip(verdicts, batch.steps, strict=True):
        if verdict.recorded:
            events.extend(step)
            verdict.offset = len(events) - 1  # an event's position is its last stored event
            keys.append((*verdict.incoming.key, verdict.incoming.digest, verdict.offset))
    return Pending(slug, events, keys) if events else None


def _time_refused(time: datetime, now: datetime) -> InvalidEvent | None:
    """Why an effective time is refused: more than 24 hours ahead, or before 1970 (a sender's
    bug; a time near year 1 would also overflow when read in a conference's timezone)."""
    if time > now + FUTURE_TOLERANCE:
        return InvalidEvent("the effective time is more than 24 hours in the future",
                            field="time", code="time-in-future")
    if time < EARLIEST_TIME:
        return InvalidEvent("the effective time is before 1970-01-01", field="time",
                            code="time-too-early")
    return None


def _as_id(value: object) -> str | None:
    return value if isinstance(value, str) else None
