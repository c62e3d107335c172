"""Tokens never appear in logs or answers: not when sent properly in the Authorization header, not
when sent by mistake in a query string, a form or a body, not when the request fails.

The server's log is read from a real `confledger serve` process (uvicorn's access log included); the
app's own loggers are also captured in-process at DEBUG while requests fail in every way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.services import Services
from api.settings import Settings
from tests.reliability.harness import CONFLEDGER, Server

SLUG = "pycon"


def leaky_requests(http: httpx.Client, token: str, page: str) -> list[httpx.Response]:
    """Requests carrying `token` in every place a client might put it, right or wrong."""
    bearer = {"Authorization": f"Bearer {token}"}
    reports = f"/api/v1/conferences/{SLUG}/reports"
    return [
        http.get("/api/v1/status", headers=bearer),
        http.get("/api/v1/status", params={"token": token}),
        http.get(f"{reports}/sales", params={"access_token": token, "date_from": "2026-01-01"},
                 headers=bearer),
        http.get(f"{reports}/sales", params={"date_from": token}, headers=bearer),
        http.get(f"{reports}/sales.csv", params={"api_key": token}, headers=bearer),
        http.get(page, params={"token": token}),
        http.post(f"/api/v1/conferences/{SLUG}/events", content=f'{{"id": "{token}"',
                  headers=bearer | {"content-type": "application/json"}),
        http.post(f"/api/v1/conferences/{SLUG}/events", json=[{"id": token, "source": token}],
                  headers={"Authorization": f"Bearer {token}x"}),
        http.post("/api/v1/tokens", json={"role": token}, headers=bearer),
        http.post("/login", data={"token": token + "-wrong", "next": "/manage/"}),
        http.post("/login", data={"token": token, "next": "/manage/"}),
    ]


def assert_never_echoed(responses: list[httpx.Response], token: str) -> None:
    """No answer carries the token, except a sign-in redirect's Location, which gives the
    browser back the very URL it asked for."""
    for response in responses:
        assert response.status_code < 500, (response.request.url, response.text[:300])
        assert token not in response.text, response.request.url
        headers = {k: v for k, v in response.headers.items() if k != "location"}
        assert token not in str(headers), response.request.url


def test_tokens_never_reach_the_server_log(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'leaks.db'}", secret_key="leaks")
    services = Services.build(settings)
    token = services.tokens.issue("admin").token
    services.close()
    server = Server(CONFLEDGER, {"CONFLEDGER_DATABASE_URL": settings.database_url},
                    tmp_path / "server.log")
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            responses = leaky_requests(http, token, f"/manage/{SLUG}/reports/")
    finally:
        server.kill()
    assert_never_echoed(responses, token)
    log = server.output()
    assert '"GET /api/v1/status' in log and "/login" in log  # the access log is on
    assert token not in log and token[4:20] not in log


def test_tokens_never_reach_the_apps_own_logs(
        app: FastAPI, services: Services, make_token: Callable[..., str],
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token("admin")
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    with caplog.at_level(logging.DEBUG):
        responses = leaky_requests(client, token, f"/manage/{SLUG}/reports/")
        # And when a request fails unexpectedly, the logged error does not carry it either
        monkeypatch.setattr(services, "head", lambda: 1 / 0)
        failed = client.get("/api/v1/status", params={"token": token},
                            headers={"Authorization": f"Bearer {token}"})
    assert failed.status_code == 500 and token not in failed.text
    assert_never_echoed(responses, token)
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.levelno >= logging.ERROR for r in server_side)  # the failure was logged
    for record in server_side:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                      if record.exc_info else "")
        assert token not in text, record.name
