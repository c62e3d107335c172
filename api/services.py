"""The objects a process builds once and shares: settings, the ledger, SQL access and tokens.

Projectors are attached from outside: `on_recorded` callbacks hear the new head position after every
batch (or group of batches) that recorded something, and `projector_status` reports on them for
`/api/v1/status`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.auth import TokenStore
from api.intake import Intake
from api.projectors import create_read_models
from api.settings import Settings
from ledger.application import Ledger, Receipt, Submission
from projections.db import Database

logger = logging.getLogger(__name__)


def no_projectors() -> list[dict[str, Any]]:
    """The projector status while no projector runner is attached."""
    return []


@dataclass
class Services:
    """Everything a request handler or a command needs, built once per process."""

    settings: Settings
    ledger: Ledger
    database: Database
    tokens: TokenStore
    on_recorded: list[Callable[[int], None]] = field(default_factory=list)
    projector_status: Callable[[], list[dict[str, Any]]] = no_projectors
    intake: Intake = field(init=False)

    @classmethod
    def build(cls, settings: Settings, *, create_tables: bool = True) -> Services:
        """Open the store named by `settings`; create missing tables unless told not to."""
        ledger = Ledger(env=settings.eventsourcing_env(create_tables=create_tables))
        database = Database(ledger.recorder)
        tokens = TokenStore(database, bootstrap=settings.bootstrap_token)
        if create_tables:
            tokens.create_table()
            create_read_models(ledger)
        return cls(settings, ledger, database, tokens)

    def __post_init__(self) -> None:
        self.intake = Intake(self.record_many)

    def record(self, slug: str, raw_events: list[Any], *, now: datetime) -> Receipt:
        """Record a batch (blocking), then tell every listener the new head position."""
        receipt = self.ledger.record(slug, raw_events, now=now)
        if receipt.recorded:
            self._announce(receipt.position)
        return receipt

    async def ingest(self, slug: str, raw_events: list[Any], *, now: datetime) -> Receipt:
        """Record a batch through the intake threads (from the event loop: no thread hop of its
        own), then tell every listener the new head position."""
        return await self.intake.record(Submission(slug, raw_events, now))

    def record_many(self, submissions: list[Submission]) -> list[Receipt | Exception]:
        """Record independent batches together (blocking); each gets its receipt or its error."""
        results = self.ledger.record_many(submissions)
        head = max((r.position for r in results if isinstance(r, Receipt) and r.recorded),
                   default=0)
        if head:
            self._announce(head)
        return results

    def head(self) -> int:
        """The position of the last recorded event, 0 when the log is empty."""
        return self.ledger.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.intake.close()
        self.ledger.close()

    def _announce(self, position: int) -> None:
        for listener in self.on_recorded:
            try:
                listener(position)
            except Exception:  # the batch is recorded: a listener's failure must not undo that
                logger.exception("on_recorded listener %r failed", listener)
