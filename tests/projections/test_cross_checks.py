"""On random valid event streams the reports agree with each other (contract §4 cross-checks), and
a read model rebuilt from the log equals the live one."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings

from api.projectors import rebuild_projector
from projections.catalogue import projection_classes, reports
from tests.projections.factories_audit import Story, batches

slugs = itertools.count(1)
REUSES_FIXTURES = [HealthCheck.function_scoped_fixture]  # stories differ by slug, so they may


def record_story(books: Any, stream: list[Any]) -> Story:
    story = Story(f"cross-{next(slugs)}")
    books.record(*story.opening(), slug=story.slug)
    for operations in stream:
        if events := story.batch(operations):
            books.record(*events, slug=story.slug)
    return story


def every_report(books: Any, slug: str) -> dict[str, Any]:
    return {name: books.report(name, slug=slug) for name in reports()}


@settings(max_examples=20, deadline=None, suppress_health_check=REUSES_FIXTURES)
@given(stream=batches)
def test_random_streams_keep_the_reports_agreeing(books, stream) -> None:
    # Given a random valid stream of orders, payments, refunds, credits, POs and expenses
    story = record_story(books, stream)
    report = every_report(books, story.slug)
    reconciliation = report["reconciliation"]
    # Then the waterfall's net revenue is reconciliation's net revenue
    [net] = [row for row in report["waterfall"]["rows"] if row["label"] == "Net Revenue"]
    assert net["value"] == reconciliation["net_revenue"]
    # And sales by day add up to the sales total
    by_day = sum(Decimal(row["revenue"]) for row in report["sales"]["rows"])
    assert by_day == Decimal(reconciliation["sales_total"])
    # And credits outstanding = issued − drawn − what expired unspent (and the story agrees)
    credits = report["credits"]
    expired = sum(Decimal(r["remaining"]) for r in credits["rows"] if r["status"] == "expired")
    summary = credits["summary"]
    assert Decimal(summary["total_outstanding"]) == (
        Decimal(summary["total_issued"]) - Decimal(summary["total_applied"]) - expired)
    assert Decimal(summary["total_outstanding"]) == sum(story.credits.values(), Decimal(0))
    # And every limited product that is not oversold accounts for all its capacity
    for row in report["inventory"]["rows"]:
        if not row["unlimited"] and row["oversold"] == 0:
            assert row["sold"] + row["reserved"] + row["remaining"] == row["total_quantity"]


@settings(max_examples=10, deadline=None, suppress_health_check=REUSES_FIXTURES)
@given(stream=batches)
def test_a_rebuilt_read_model_equals_the_live_one(books, stream) -> None:
    # Given live read models kept up to date batch by batch
    story = record_story(books, stream)
    live = every_report(books, story.slug)
    # When every read model is dropped and rebuilt from the whole log
    for name in projection_classes():
        rebuild_projector(books.ledger, name).catch_up()
    books.projector.open()
    # Then every report reads exactly as it did
    assert every_report(books, story.slug) == live
