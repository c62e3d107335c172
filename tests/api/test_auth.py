"""Who may call what: bearer tokens, roles and conference scopes (contract §2)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.services import Services
from tests.api.conftest import Post
from tests.api.problems import assert_problem
from tests.conftest import BOOTSTRAP_TOKEN
from tests.factories import configure_conference

MakeToken = Callable[..., str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/v1/conferences/pycon/events"), ("GET", "/api/v1/status"),
    ("GET", "/api/v1/tokens"), ("POST", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens/tok_x")])
def test_a_request_without_a_token_is_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json=configure_conference())
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("scheme, secret", [
    ("Bearer ", "clt_not-a-real-token"), ("Basic ", "YWRtaW46YWRtaW4="), ("", "clt_no-scheme"),
    ("Bearer ", "")])
def test_an_unknown_or_malformed_token_is_401_and_not_echoed(client: TestClient, scheme: str,
                                                              secret: str) -> None:
    response = client.get("/api/v1/status", headers={"Authorization": scheme + secret})
    assert_problem(response, 401)
    assert secret not in response.text or not secret


def test_the_bootstrap_token_is_an_admin_for_every_conference(post: Post) -> None:
    assert post(configure_conference(), slug="any-conf",
                headers=bearer(BOOTSTRAP_TOKEN)).status_code == 201


def test_the_bootstrap_token_can_manage_tokens(client: TestClient) -> None:
    response = client.post("/api/v1/tokens", json={"role": "viewer"},
                           headers=bearer(BOOTSTRAP_TOKEN))
    assert response.status_code == 201


def test_a_near_miss_of_the_bootstrap_token_is_401(client: TestClient) -> None:
    for wrong in (BOOTSTRAP_TOKEN[:-1], BOOTSTRAP_TOKEN + "x", BOOTSTRAP_TOKEN.upper()):
        assert_problem(client.get("/api/v1/status", headers=bearer(wrong)), 401)


@pytest.mark.parametrize("role, expected", [
    ("ingest", 201), ("viewer", 403), ("finance", 403), ("auditor", 403), ("admin", 201)])
def test_only_ingest_and_admin_tokens_post_events(post: Post, make_token: MakeToken,
                                                  role: str, expected: int) -> None:
    response = post(configure_conference(), headers=bearer(make_token(role)))
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["ingest", "viewer", "finance", "auditor"])
def test_token_management_is_for_admins_only(client: TestClient, make_token: MakeToken,
                                             role: str) -> None:
    headers = bearer(make_token(role))
    assert_problem(client.get("/api/v1/tokens", headers=headers), 403)
    assert_problem(client.post("/api/v1/tokens", json={"role": "admin"}, headers=headers), 403)
    assert_problem(client.delete("/api/v1/tokens/tok_x", headers=headers), 403)


def test_a_token_for_another_conference_is_403_whether_or_not_the_conference_exists(
        post: Post, make_token: MakeToken, head: Callable[[], int]) -> None:
    # Given conference "pycon" exists and "ghost" does not, and an ingest token for "djangocon"
    assert post(configure_conference()).status_code == 201
    other = bearer(make_token("ingest", conference="djangocon"))
    before = head()
    # When it posts to both
    existing = post(configure_conference(), slug="pycon", headers=other)
    missing = post(configure_conference(), slug="ghost", headers=other)
    # Then both are 403 with the very same body, and nothing is recorded
    assert_problem(existing, 403)
    assert existing.json() == missing.json()
    assert head() == before


def test_a_token_for_one_conference_posts_to_that_conference(post: Post,
                                                             make_token: MakeToken) -> None:
    token = make_token("ingest", conference="pycon")
    assert post(configure_conference(), slug="pycon", headers=bearer(token)).status_code == 201


def test_a_revoked_token_is_401_at_once(client: TestClient, post: Post, make_token: MakeToken,
                                        admin_headers: dict[str, str]) -> None:
    # Given an ingest token that works
    token = make_token("ingest")
    assert post(configure_conference(), headers=bearer(token)).status_code == 201
    token_id = client.get("/api/v1/tokens", headers=admin_headers).json()["tokens"][-1]["token_id"]
    # When an admin revokes it
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin_headers).status_code == 204
    # Then its very next request is refused
    assert_problem(post(configure_conference(), headers=bearer(token)), 401)


def test_tokens_are_stored_only_as_sha256_hashes(client: TestClient, services: Services,
                                                 admin_headers: dict[str, str]) -> None:
    # Given a token issued over HTTP
    token = client.post("/api/v1/tokens", json={"role": "finance", "conference": "pycon"},
                        headers=admin_headers).json()["token"]
    # When the token table is read
    rows = services.database.query("SELECT * FROM confledger_tokens")
    # Then no cell holds the clear token, one holds its SHA-256, and the bootstrap is not stored
    cells = [str(cell) for row in rows for cell in row]
    assert not any(token in cell or BOOTSTRAP_TOKEN in cell for cell in cells)
    assert hashlib.sha256(token.encode()).hexdigest() in cells


def test_a_conference_admin_issues_tokens_only_for_its_conference(
        client: TestClient, make_token: MakeToken) -> None:
    headers = bearer(make_token("admin", conference="pycon"))
    own = client.post("/api/v1/tokens", json={"role": "ingest", "conference": "pycon"},
                      headers=headers)
    assert own.status_code == 201
    for body in ({"role": "ingest", "conference": "djangocon"}, {"role": "ingest"}):
        assert_problem(client.post("/api/v1/tokens", json=body, headers=headers), 403)
    listed = client.get("/api/v1/tokens", headers=headers).json()["tokens"]
    assert {t["conference"] for t in listed} == {"pycon"}


def test_no_token_reaches_the_logs(server_url: str, make_token: MakeToken,
                                   caplog: pytest.LogCaptureFixture) -> None:
    # Given access logging at its most talkative
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="uvicorn.access")
    secrets = [make_token("ingest"), "clt_wrong-secret", BOOTSTRAP_TOKEN]
    # When requests carry good, bad and bootstrap tokens, and fail in various ways
    with httpx.Client(base_url=server_url) as client:
        for secret in secrets:
            client.get("/api/v1/status", headers=bearer(secret))
            client.post("/api/v1/conferences/pycon/events", content=b"{",
                        headers=bearer(secret) | {"Content-Type": "application/json"})
    # Then the requests were logged, and no token was
    assert any("/api/v1/status" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records for s in secrets if s in r.getMessage()]
