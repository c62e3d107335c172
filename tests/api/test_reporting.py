"""Answering a report: a live answer reads all its tables in one read transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from api.auth import Principal
from api.projectors import ProjectorService
from api.reporting import prepare
from api.services import Services
from projections.catalogue import reports
from projections.db import Reads
from projections.store import SqlReader
from tests.factories import configure_conference, define_ticket, pay, place_order

ADMIN = Principal("test", "admin", None)


@pytest.mark.parametrize("name", ["financial", "dashboard", "credits"])
def test_a_live_report_body_reads_in_one_transaction(services: Services, name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    services.record("pycon", [configure_conference(), define_ticket(), place_order(), pay()],
                    now=datetime(2026, 10, 15, tzinfo=UTC))
    projectors = ProjectorService(services.ledger)
    projectors.projector.open()
    projectors.projector.catch_up()
    answer = prepare(services, "pycon", name, {}, ADMIN)
    opened = []
    database = services.database

    def counted(kind: str, open_one: Any) -> Any:
        @contextmanager
        def opening(**options: Any) -> Iterator[Any]:
            opened.append((kind, options))
            with open_one(**options) as cursor:
                yield cursor
        return opening

    monkeypatch.setattr(database, "transaction", counted("transaction", database.transaction))
    monkeypatch.setattr(database, "read_transaction",
                        counted("read", database.read_transaction))
    body = answer.body()
    # one read-only transaction for the whole body, however many tables the report reads
    assert opened[:1] == [("read", {"snapshot": True})]
    assert opened[1:] in ([], [("transaction", {"commit": False})])  # SQLite's, inside it
    monkeypatch.undo()
    built = reports()[name].build(SqlReader(services.database), answer.context)
    assert {key: body[key] for key in built} == built


def test_the_financial_dashboard_asks_the_database_each_query_once(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    services.record("pycon", [configure_conference(), define_ticket(), place_order(), pay()],
                    now=datetime(2026, 10, 15, tzinfo=UTC))
    projectors = ProjectorService(services.ledger)
    projectors.projector.open()
    projectors.projector.catch_up()
    answer = prepare(services, "pycon", "financial", {}, ADMIN)
    sent: list[tuple[str, tuple[Any, ...]]] = []
    query = Reads.query

    def counted(self: Reads, statement: str, params: Any = ()) -> list[tuple[Any, ...]]:
        sent.append((statement, tuple(params)))
        return query(self, statement, params)

    monkeypatch.setattr(Reads, "query", counted)
    answer.body()
    # the sections and charts share the totals they both show instead of reading them again
    assert len(sent) == len(set(sent))
