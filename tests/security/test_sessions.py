"""Session cookies (contract §2): HttpOnly, SameSite=Strict, with a Max-Age, signed (a tampered or
forged cookie signs nobody in), expiring (an old signature is refused), never holding the token,
ended by revoking the token, and never accepted by the API in place of a bearer token.
"""

from __future__ import annotations

import json
import time
from base64 import b64decode, b64encode
from collections.abc import Callable

import itsdangerous
import pytest
from fastapi.testclient import TestClient

from api.services import Services
from api.sessions import COOKIE
from api.settings import Settings

PAGE = "/manage/pycon/reports/"
pytestmark = pytest.mark.usefixtures("conferences")


def sign_in(client: TestClient, token: str) -> str:
    """Sign in with `token`; return the Set-Cookie header of the session."""
    response = client.post("/login", data={"token": token, "next": PAGE}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == PAGE
    return response.headers["set-cookie"]


def signed(settings: Settings, session: dict[str, str], age: float = 0) -> str:
    """A session cookie value as the app signs it, dated `age` seconds ago."""
    signer = itsdangerous.TimestampSigner(settings.secret_key)
    signer.get_timestamp = lambda: int(time.time() - age)  # type: ignore[method-assign]
    return signer.sign(b64encode(json.dumps(session).encode())).decode()


def is_signed_in(client: TestClient, cookie: str | None = None) -> bool:
    """True when the page opens; False when it sends the browser to sign in."""
    if cookie is not None:
        client.cookies.set(COOKIE, cookie)
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code != 303


def test_session_cookie_is_httponly_strict_and_expires(client: TestClient, settings: Settings,
                                                       make_token: Callable[..., str]) -> None:
    header = sign_in(client, make_token("viewer", "pycon"))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["max-age"].lower() == f"max-age={settings.session_max_age}"
    assert 0 < settings.session_max_age <= 24 * 3600


def test_session_cookie_names_the_token_but_never_holds_it(
        client: TestClient, make_token: Callable[..., str]) -> None:
    token = make_token("viewer", "pycon")
    sign_in(client, token)
    value = client.cookies[COOKIE]
    payload = b64decode(value.split(".")[0]).decode()
    assert token not in value and token not in payload
    assert set(json.loads(payload)) == {"token_id"}


def test_a_tampered_or_forged_cookie_signs_nobody_in(
        client: TestClient, settings: Settings, services: Services,
        make_token: Callable[..., str]) -> None:
    sign_in(client, make_token("viewer", "pycon"))
    assert is_signed_in(client)
    value = client.cookies[COOKIE]
    admin = services.tokens.issue("admin").record.token_id
    data, timestamp, signature = value.rsplit(".", 2)
    forged_data = b64encode(json.dumps({"token_id": admin}).encode()).decode()
    other = {c: "B" if c == "A" else "A" for c in (signature[0], timestamp[0])}
    for cookie in (f"{forged_data}.{timestamp}.{signature}",  # someone else's token id
                   f"{data}.{timestamp}.{other[signature[0]]}{signature[1:]}",
                   f"{data}.{other[timestamp[0]]}{timestamp[1:]}.{signature}",
                   signed(Settings(secret_key="not-the-server-secret"), {"token_id": admin}),
                   "null", ""):
        assert not is_signed_in(client, cookie), cookie


def test_a_session_older_than_its_max_age_is_refused(client: TestClient, settings: Settings,
                                                     services: Services) -> None:
    token_id = services.tokens.issue("viewer", "pycon").record.token_id
    assert is_signed_in(client, signed(settings, {"token_id": token_id}, age=60))
    expired = signed(settings, {"token_id": token_id}, age=settings.session_max_age + 60)
    assert not is_signed_in(client, expired)


def test_revoking_the_token_ends_its_sessions(client: TestClient, services: Services) -> None:
    issued = services.tokens.issue("viewer", "pycon")
    sign_in(client, issued.token)
    assert is_signed_in(client)
    services.tokens.revoke(issued.record.token_id)
    assert not is_signed_in(client)


def test_the_api_never_takes_a_session_cookie_for_a_token(
        client: TestClient, make_token: Callable[..., str]) -> None:
    sign_in(client, make_token("admin"))
    for path in ("/api/v1/status", "/api/v1/conferences/pycon/reports/sales", "/api/v1/tokens"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
