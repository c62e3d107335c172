"""FastAPI dependencies as `Annotated` aliases: the process's services and the caller's token.

A role alias (`Viewer`, `Admin`, ...) authenticates the bearer token (401) and then checks its role
and, on routes with a `{slug}`, its conference (403). The check never looks the conference up, so a
403 says nothing about whether the conference exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import Principal
from api.errors import Forbidden, NotAuthenticated
from api.services import Services

_bearer = HTTPBearer(auto_error=False, description="a Confledger token")


async def get_services(request: Request) -> Services:
    """The services the application was created with (async: a sync dependency costs a thread
    hop per request)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticate(request: Request, credentials: Credentials) -> Principal:
    """The caller's principal; 401 without a token or with an unknown or revoked one.

    Async, so that the bootstrap token (no database read) costs no thread hop; a stored token is
    looked up in the threadpool, on every request, so that a revocation takes effect at once."""
    if credentials is None:
        raise NotAuthenticated()
    tokens = request.app.state.services.tokens
    principal = tokens.bootstrap(credentials.credentials)
    if principal is None:
        principal = await run_in_threadpool(tokens.authenticate, credentials.credentials)
    if principal is None:
        raise NotAuthenticated()
    return principal


def require(role: str) -> Callable[[Request, Credentials], Awaitable[Principal]]:
    """A dependency admitting tokens whose role includes `role` and that reach the `{slug}`
    (one dependency, not a chain: each level of FastAPI's dependency tree costs CPU per
    request)."""

    async def check(request: Request, credentials: Credentials) -> Principal:
        principal = await authenticate(request, credentials)
        slug = request.path_params.get("slug")
        if not principal.may(role) or (slug is not None and not principal.covers(slug)):
            raise Forbidden()
        return principal

    return check


Ingester = Annotated[Principal, Depends(require("ingest"))]
Viewer = Annotated[Principal, Depends(require("viewer"))]
Finance = Annotated[Principal, Depends(require("finance"))]
Auditor = Annotated[Principal, Depends(require("auditor"))]
Admin = Annotated[Principal, Depends(require("admin"))]

Slug = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                           description="the conference's slug")]
