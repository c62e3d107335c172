"""SQL-ish and otherwise hostile slugs, report names and filters: refused clearly (422 naming the
parameter, or 404 for a name that is no report), never a 5xx, never written, and the event log
and read models still whole afterwards. A free-text filter value is a value: it matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from tests.security.hostile import assert_problem, assert_refused, marks

pytestmark = pytest.mark.usefixtures("conferences")
SQL = ["'; DROP TABLE stored_events;--", "pycon' OR '1'='1", "pycon\"; DELETE FROM tracking;--",
       "../../etc/passwd", "pycon%00", "pycon\x00", "%27%20OR%201=1", "pycon/../other",
       "' UNION SELECT token_hash FROM confledger_tokens --", "pycon;", "pycon\n"]
SLUG_ROUTES = ["GET /api/v1/conferences/{slug}/reports/sales",
               "GET /api/v1/conferences/{slug}/reports/sales.csv",
               "GET /api/v1/conferences/{slug}/events",
               "GET /api/v1/conferences/{slug}/verify",
               "GET /api/v1/conferences/{slug}/history/order/o1",
               "POST /api/v1/conferences/{slug}/events",
               "POST /api/v1/conferences/{slug}/periods/close"]
# report → (filter, hostile value, the parameter the 422 must name)
FILTERS = [("sales", "date_from", SQL[0]), ("sales", "date_until", "2026-02-30"),
           ("sales", "period", "day; DROP TABLE sales_day"), ("attendees", "limit", "1; --"),
           ("attendees", "limit", "-1"), ("attendees", "cursor", SQL[1]),
           ("attendees", "checked_in", "yes' OR 'x'='x"), ("credits", "status", SQL[0]),
           ("purchase-orders", "status", SQL[1]), ("top-customers", "limit", "10**9"),
           ("sales", "as_of", SQL[0]), ("sales", "min_position", "1 OR 1=1"),
           ("sales", "no_such_filter", SQL[0])]


@pytest.fixture
def auditor(make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('admin')}"}


def fingerprint(client: TestClient, headers: dict[str, str], services: Services) -> object:
    """What must survive: the write marks, the verified chain, a report's body."""
    verify = client.get("/api/v1/conferences/pycon/verify", headers=headers).json()
    sales = client.get("/api/v1/conferences/pycon/reports/attendees", headers=headers).json()
    return marks(services), verify, sales["rows"]


def test_a_hostile_slug_is_refused_and_harms_nothing(client: TestClient, services: Services,
                                                     auditor: dict[str, str],
                                                     subtests: pytest.Subtests) -> None:
    before = fingerprint(client, auditor, services)
    for route in SLUG_ROUTES:
        method, path = route.split(" ")
        for slug in SQL:
            with subtests.test(f"{route} {slug!r}"):
                url = path.replace("{slug}", quote(slug, safe=""))
                response = client.request(method, url, headers=auditor,
                                          json={"through": "2020-01-01"}
                                          if "periods" in path else [])
                assert_problem(response, 404 if response.status_code == 404 else 422)
    assert fingerprint(client, auditor, services) == before


def test_a_hostile_filter_is_refused_naming_it(client: TestClient, services: Services,
                                               auditor: dict[str, str],
                                               subtests: pytest.Subtests) -> None:
    before = fingerprint(client, auditor, services)
    for report, name, value in FILTERS:
        # A CSV export streams every row: paging parameters do not apply to it
        for suffix in ("",) if name in ("limit", "cursor") else ("", ".csv"):
            with subtests.test(f"{report}{suffix} {name}={value!r}"):
                response = client.get(f"/api/v1/conferences/pycon/reports/{report}{suffix}",
                                      params={name: value}, headers=auditor)
                errors = assert_refused(response, 422)
                assert name in {e["field"] for e in errors}, errors
    assert fingerprint(client, auditor, services) == before


def test_sql_in_a_free_text_filter_matches_nothing(client: TestClient, services: Services,
                                                   auditor: dict[str, str]) -> None:
    before = fingerprint(client, auditor, services)
    response = client.get("/api/v1/conferences/pycon/reports/attendees",
                          params={"ticket_type": "' OR '1'='1' --"}, headers=auditor)
    assert response.status_code == 200 and response.json()["rows"] == []
    assert fingerprint(client, auditor, services) == before


NOT_REPORTS = ["sales;DROP TABLE sales_day", "../tokens", "sales%00", "sales' OR '1'='1",
               "SALES", "sales.json", "sales.csv.csv"]


def test_a_report_name_that_is_no_report_is_not_found(client: TestClient,
                                                      auditor: dict[str, str],
                                                      subtests: pytest.Subtests) -> None:
    for name in NOT_REPORTS:
        with subtests.test(name):
            assert_problem(client.get(f"/api/v1/conferences/pycon/reports/"
                                      f"{quote(name, safe='')}", headers=auditor), 404)
