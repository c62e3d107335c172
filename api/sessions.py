"""Browser sessions for the HTML pages: a signed cookie that names a token, never holds it.

Signing in trades a token for a session cookie (Starlette's `SessionMiddleware`, signed with
itsdangerous under `settings.secret_key`, HttpOnly, SameSite=Strict, expiring after
`settings.session_max_age` seconds). The cookie carries only the token's id; every page request
looks the token up again, so revoking a token ends its sessions at once. The API itself never reads
the cookie: `/api/` calls authenticate with a bearer token only, which keeps them safe from
cross-site request forgery.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from api.auth import BOOTSTRAP_ID, Principal
from api.services import Services
from api.settings import Settings

COOKIE = "confledger_session"
_TOKEN_ID = "token_id"


def install(app: FastAPI, settings: Settings) -> None:
    """Sign, check and expire session cookies on every request."""
    # https_only stays off: `serve` listens on plain-HTTP localhost by default; behind a TLS
    # proxy the cookie is still HttpOnly and SameSite=Strict.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=COOKIE,
                       max_age=settings.session_max_age, same_site="strict", https_only=False)


def sign_in(request: Request, principal: Principal) -> None:
    """Start a fresh session for `principal` (whatever the session held before is dropped)."""
    request.session.clear()
    request.session[_TOKEN_ID] = principal.token_id


def sign_out(request: Request) -> None:
    """End the session: the browser gets an expired cookie."""
    request.session.clear()


def signed_in(request: Request, services: Services) -> Principal | None:
    """The principal of the session's token, or None when there is none or it was revoked."""
    token_id = request.session.get(_TOKEN_ID)
    if not isinstance(token_id, str):
        return None
    if token_id == BOOTSTRAP_ID:
        # The bootstrap token is not stored; it stays valid only while the server is configured
        # with one.
        return Principal(BOOTSTRAP_ID, "admin", None) if services.settings.bootstrap_token \
            else None
    record = services.tokens.get(token_id)
    if record is None or record.revoked_at is not None:
        return None
    return Principal(record.token_id, record.role, record.conference)
