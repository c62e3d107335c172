"""Role × endpoint × conference: every route the app serves, called by every role (scoped to its own
conference), an admin for all conferences, a revoked token and no token, on its own conference, on
another configured one and on one that does not exist (contract §2).

Routes are enumerated from the app itself, so a new endpoint is covered the moment it exists: the
test fails until `RULES` says who may call it. Expectations are written here, not derived from
`api.auth`, so a change to the role ranking shows up as a failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from api.services import Services
from tests.factories import pay
from tests.security.conftest import GHOST, OTHER, OWN, Caller

# Which roles a route's required role admits: ingest only posts events; the others are ranked.
ADMITS = {"ingest": {"ingest", "admin"}, "viewer": {"viewer", "finance", "auditor", "admin"},
          "finance": {"finance", "auditor", "admin"}, "auditor": {"auditor", "admin"},
          "admin": {"admin"}}


@dataclass(frozen=True)
class Rule:
    """Who may call a route: `public`, `sign-in` (any valid token), or an `api` (bearer) or
    `page` (session) role."""

    guard: str
    role: str | None = None


PUBLIC = Rule("public")
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): PUBLIC, ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC, ("GET", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC, ("GET", "/static/*"): PUBLIC,
    ("GET", "/login"): PUBLIC, ("POST", "/login"): Rule("sign-in"), ("POST", "/logout"): PUBLIC,
    ("GET", "/api/v1/status"): Rule("api", "viewer"),
    ("POST", "/api/v1/conferences/{slug}/events"): Rule("api", "ingest"),
    ("POST", "/api/v1/tokens"): Rule("api", "admin"),
    ("GET", "/api/v1/tokens"): Rule("api", "admin"),
    ("DELETE", "/api/v1/tokens/{token_id}"): Rule("api", "admin"),
    ("GET", "/api/v1/conferences/{slug}/reports/{name}"): Rule("api", "viewer"),
    ("GET", "/api/v1/conferences/{slug}/reports/{name}.csv"): Rule("api", "finance"),
    ("GET", "/api/v1/conferences/{slug}/events"): Rule("api", "auditor"),
    ("GET", "/api/v1/conferences/{slug}/history/{kind}/{entity_id:path}"): Rule("api", "auditor"),
    ("GET", "/api/v1/conferences/{slug}/verify"): Rule("api", "auditor"),
    ("POST", "/api/v1/conferences/{slug}/periods/close"): Rule("api", "admin"),
    ("GET", "/manage/"): Rule("page", "viewer"),
    ("GET", "/manage/{slug}/reports/"): Rule("page", "viewer"),
    ("GET", "/manage/{slug}/financial/"): Rule("page", "finance"),
    ("GET", "/manage/{slug}/reports/{name}/"): Rule("page", "viewer"),
    ("GET", "/manage/{slug}/reports/{name}.csv"): Rule("page", "finance"),
    ("GET", "/manage/{slug}/history/{kind}/{entity_id:path}/"): Rule("page", "auditor"),
}
PARAMS = {"name": "sales", "token_id": "tok_0000000000000000", "kind": "order", "entity_id": "o1"}


def endpoints(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route the app serves; a mount is `GET <prefix>/*`."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI ≥ 0.16x nests included routers
        routes: Any = iter_route_contexts(app.routes)
    except ImportError:
        routes = app.routes
    for route in routes:
        if isinstance(getattr(route, "original_route", route), Mount):
            yield "GET", route.path + "/*"
            continue
        for method in sorted(set(route.methods) - {"HEAD"}):
            yield method, route.path


def url(path: str, conference: str) -> str:
    """`path` with its parameters filled in for `conference`."""
    if path.endswith("/*"):
        return path[:-1] + "app.css"
    values = PARAMS | {"slug": conference}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def body(method: str, path: str, conference: str, caller: Caller) -> dict[str, Any]:
    """A valid body for the route, naming `conference` where the body names one."""
    if method != "POST":
        return {}
    if path == "/login":
        return {"data": {"token": caller.token or "", "next": "/manage/"}}
    if path.endswith("/events"):
        return {"json": [pay(order_id="o1", amount="1.00", id="p-matrix", payment_id="p-matrix")]}
    if path == "/api/v1/tokens":
        return {"json": {"role": "viewer", "conference": conference}}
    if path.endswith("/periods/close"):
        return {"json": {"through": "2020-01-31"}}
    return {}


def expected(rule: Rule, caller: Caller, conference: str | None) -> str:
    """`allowed`, `401`, `403` or `sign-in` (a page's redirect to /login)."""
    if rule.guard == "public":
        return "allowed"
    if caller.token is None or caller.revoked:
        return "sign-in" if rule.guard == "page" else "401"
    if rule.guard == "sign-in":
        return "allowed"
    if caller.role not in ADMITS[rule.role or ""]:
        return "403"
    reaches = caller.conference is None or conference in (None, caller.conference)
    return "allowed" if reaches else "403"


def check(outcome: str, response: httpx.Response, caller: Caller) -> None:
    status, where = response.status_code, f"{response.request.method} {response.request.url}"
    assert status < 500, (where, caller.label, status, response.text[:300])
    if caller.token:
        assert caller.token not in response.text and caller.token not in str(response.headers)
    if outcome == "allowed":
        assert status not in (401, 403), (where, caller.label, status)
        assert not response.headers.get("location", "").startswith("/login?"), (where, caller)
    elif outcome == "sign-in":
        assert status == 303 and response.headers["location"].startswith("/login?next="), \
            (where, caller.label, status)
    else:
        assert status == int(outcome), (where, caller.label, outcome, status)
        if outcome == "401" and response.request.url.path.startswith("/api/"):
            assert response.headers["www-authenticate"] == "Bearer"


def sessions(app: FastAPI, services: Services, callers: list[Caller]) -> dict[str, TestClient]:
    """A browser (cookie jar) per caller, signed in with its token; the revoked caller's
    session was opened with a token revoked afterwards."""
    browsers = {}
    for caller in callers:
        browser = TestClient(app, follow_redirects=False)
        if caller.revoked:
            issued = services.tokens.issue("admin")
            assert browser.post("/login", data={"token": issued.token}).status_code == 303
            services.tokens.revoke(issued.record.token_id)
        elif caller.token:
            assert browser.post("/login", data={"token": caller.token}).status_code == 303
        browsers[caller.label] = browser
    return browsers


@pytest.mark.usefixtures("conferences")
def test_every_route_admits_exactly_the_roles_and_conferences_the_contract_names(
        app: FastAPI, services: Services, callers: list[Caller],
        tally: Callable[[str, int], None]) -> None:
    routes = sorted(set(endpoints(app)))
    assert [r for r in routes if r not in RULES] == [], "routes without an access rule"
    browsers = sessions(app, services, callers)
    api = TestClient(app, follow_redirects=False)
    cells = 0
    for method, path in routes:
        rule = RULES[(method, path)]
        names_conference = "{slug}" in path or (path == "/api/v1/tokens" and method == "POST")
        for caller in callers:
            http = browsers[caller.label] if rule.guard == "page" else api
            refusals = {}
            for conference in (OWN, OTHER, GHOST) if names_conference else (OWN,):
                response = http.request(method, url(path, conference), headers=caller.headers,
                                        **body(method, path, conference, caller))
                check(expected(rule, caller, conference if names_conference else None),
                      response, caller)
                refusals[conference] = (response.status_code, response.content)
                cells += 1
            # A refusal says nothing about whether the conference exists
            if names_conference and refusals[OTHER][0] == 403:
                assert refusals[OTHER] == refusals[GHOST], (method, path, caller.label)
    tally(f"access matrix requests ({len(routes)} routes × {len(callers)} callers × "
          "own/other/unknown conference), each answered as the contract says", cells)
