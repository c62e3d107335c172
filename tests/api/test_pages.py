"""The HTML pages' sign-in and access rules, over HTTP (both databases; no browser needed).

Sessions are signed cookies that name a token's id; pages check roles and conferences exactly as
the API does; redirects after sign-in stay on this site.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from api.services import Services
from api.sessions import COOKIE
from api.settings import Settings
from projections.catalogue import projection_classes
from projections.runner import Projector
from projections.store import open_store
from tests.factories import configure_conference, define_ticket, pay, place_order

LANDING = "/manage/pycon/reports/"


@pytest.fixture
def books(services: Services) -> None:
    """A conference with one sold order, every read model caught up."""
    services.record("pycon", [configure_conference(), define_ticket(), place_order(),
                              pay()], now=datetime(2026, 10, 15, tzinfo=UTC))
    projector = Projector(services.ledger, open_store(services.ledger.recorder),
                          [c() for c in projection_classes().values()])
    projector.open()
    projector.catch_up()


def sign_in(client: TestClient, token: str, next: str = LANDING) -> str:
    """Post the sign-in form; return where it redirects to."""
    answer = client.post("/login", data={"token": token, "next": next}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_a_page_visit_without_a_session_goes_to_sign_in(client: TestClient, books: None) -> None:
    answer = client.get(LANDING + "?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fmanage%2Fpycon%2Freports%2F%3Fx%3D1"


def test_the_session_cookie_names_the_token_id_and_never_holds_the_token(
        client: TestClient, services: Services, settings: Settings) -> None:
    issued = services.tokens.issue("viewer", "pycon")
    answer = client.post("/login", data={"token": issued.token, "next": LANDING},
                         follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert f"Max-Age={settings.session_max_age}" in cookie
    payload = cookie.split("=", 1)[1].split(".", 1)[0]
    assert json.loads(base64.b64decode(payload)) == {"token_id": issued.record.token_id}
    assert issued.token not in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)", ""])
def test_sign_in_never_redirects_off_the_site(client: TestClient, admin_token: str,
                                              target: str) -> None:
    assert sign_in(client, admin_token, next=target) == "/manage/"


def test_a_wrong_token_shows_the_form_again_with_401(client: TestClient) -> None:
    answer = client.post("/login", data={"token": "clt_nope", "next": LANDING})
    assert answer.status_code == 401
    assert "text/html" in answer.headers["content-type"]
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_revoking_the_token_ends_its_sessions_at_once(
        client: TestClient, services: Services, books: None) -> None:
    issued = services.tokens.issue("viewer", "pycon")
    sign_in(client, issued.token)
    assert client.get(LANDING).status_code == 200
    services.tokens.revoke(issued.record.token_id)
    assert client.get(LANDING, follow_redirects=False).status_code == 303


def test_a_cookie_older_than_the_session_lifetime_is_refused(
        client: TestClient, services: Services, settings: Settings, books: None) -> None:
    issued = services.tokens.issue("viewer", "pycon")

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(datetime.now(UTC).timestamp()) - settings.session_max_age - 1

    payload = base64.b64encode(json.dumps({"token_id": issued.record.token_id}).encode())
    client.cookies.set(COOKIE, Yesterday(settings.secret_key).sign(payload).decode())
    assert client.get(LANDING, follow_redirects=False).status_code == 303


def test_signing_out_expires_the_cookie(client: TestClient, admin_token: str,
                                        books: None) -> None:
    sign_in(client, admin_token)
    answer = client.post("/logout", follow_redirects=False)
    assert answer.status_code == 303 and "expires=Thu, 01 Jan 1970" in answer.headers[
        "set-cookie"]
    assert client.get(LANDING, follow_redirects=False).status_code == 303


def test_roles_and_conferences_are_checked_like_the_api(
        client: TestClient, make_token: Callable[..., str], books: None) -> None:
    sign_in(client, make_token("viewer", "pycon"))
    assert client.get(LANDING).status_code == 200
    assert client.get("/manage/pycon/reports/sales/").status_code == 200
    # No financial page and no CSV for a viewer
    assert client.get("/manage/pycon/financial/").status_code == 403
    assert client.get("/manage/pycon/reports/sales.csv").status_code == 403
    assert "csv-link" not in client.get("/manage/pycon/reports/sales/").text
    # Another conference: the same 403 whether it exists or not
    other = client.get("/manage/other/reports/")
    missing = client.get("/manage/never-configured/reports/")
    assert other.status_code == missing.status_code == 403


def test_the_session_does_not_authenticate_the_api(
        client: TestClient, admin_token: str, books: None) -> None:
    sign_in(client, admin_token)
    assert client.get("/api/v1/conferences/pycon/reports/sales").status_code == 401


def test_the_pages_csv_is_the_apis_csv(client: TestClient, admin_token: str,
                                       books: None) -> None:
    sign_in(client, admin_token)
    page = client.get("/manage/pycon/reports/sales.csv?period=week")
    api = client.get("/api/v1/conferences/pycon/reports/sales.csv?period=week",
                     headers={"Authorization": f"Bearer {admin_token}"})
    assert page.status_code == api.status_code == 200
    assert page.text == api.text == "Date,Orders,Revenue\r\n2026-09-28,1,450.00\r\n"


def test_a_malformed_filter_is_a_422_page(client: TestClient, admin_token: str,
                                          books: None) -> None:
    sign_in(client, admin_token)
    answer = client.get("/manage/pycon/reports/sales/?date_from=yesterday")
    assert answer.status_code == 422
    assert "date_from must be a date" in answer.text


def test_pages_load_nothing_from_elsewhere(client: TestClient, admin_token: str,
                                           books: None) -> None:
    sign_in(client, admin_token)
    answer = client.get("/manage/pycon/financial/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200


def test_auditors_replay_a_report_page_as_of_a_day_and_others_may_not(
        client: TestClient, make_token: Callable[..., str], books: None) -> None:
    sign_in(client, make_token("auditor", "pycon"))
    before = client.get("/manage/pycon/reports/sales/?as_of=2026-09-30")
    assert before.status_code == 200
    assert "Replayed history" in before.text and "Nothing to show yet" in before.text
    client.cookies.clear()
    sign_in(client, make_token("finance", "pycon"))
    assert client.get("/manage/pycon/reports/sales/?as_of=2026-09-30").status_code == 403
