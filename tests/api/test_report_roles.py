"""Who may read which report: viewers read reports; the financial dashboard, purchase orders and
the journal are for finance and up; as-of/known-at for auditors; CSV for finance (contract §2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Post
from tests.factories import configure_conference, define_ticket

REPORTS = "/api/v1/conferences/pycon/reports"


@pytest.fixture
def as_role(make_token: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    return lambda role: {"Authorization": f"Bearer {make_token(role, conference='pycon')}"}


@pytest.mark.parametrize("report", ["financial", "purchase-orders", "trial-balance"])
def test_finance_reports_are_refused_to_viewers_and_given_to_finance(
        client: TestClient, post: Post, as_role: Callable[[str], dict[str, str]],
        report: str) -> None:
    post(configure_conference(), define_ticket())
    assert client.get(f"{REPORTS}/{report}", headers=as_role("viewer")).status_code == 403
    assert client.get(f"{REPORTS}/{report}", headers=as_role("finance")).status_code == 200


def test_viewers_read_reports_but_not_csv_nor_history(
        client: TestClient, post: Post, as_role: Callable[[str], dict[str, str]]) -> None:
    post(configure_conference(), define_ticket())
    viewer, finance, auditor = as_role("viewer"), as_role("finance"), as_role("auditor")
    assert client.get(f"{REPORTS}/sales", headers=viewer).status_code == 200
    assert client.get(f"{REPORTS}/sales.csv", headers=viewer).status_code == 403
    assert client.get(f"{REPORTS}/sales.csv", headers=finance).status_code == 200
    as_of = f"{REPORTS}/sales?as_of=2026-10-02"
    assert client.get(as_of, headers=finance).status_code == 403
    assert client.get(as_of, headers=auditor).status_code == 200
