"""Token management for admins: issue (shown once), list (no secrets), revoke (at once).

An admin token scoped to one conference manages only that conference's tokens; only an admin for
all conferences may issue tokens for all conferences.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role, TokenRecord
from api.deps import Admin, ServicesDep
from api.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


class TokenRequest(BaseModel):
    """The token to issue: a role, for one conference or (absent) for all."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    conference: str | None = Field(default=None, min_length=1, max_length=100,
                                   pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class TokenIssued(BaseModel):
    """A new token; `token` is shown in this answer and never again."""

    token_id: str
    token: str
    role: Role
    conference: str | None


class TokenInfo(BaseModel):
    """A stored token, without its secret."""

    token_id: str
    role: Role
    conference: str | None
    created_at: str
    revoked_at: str | None

    @classmethod
    def of(cls, record: TokenRecord) -> TokenInfo:
        return cls.model_validate(record, from_attributes=True)


class TokenList(BaseModel):
    """Every token the caller may manage, revoked ones included."""

    tokens: list[TokenInfo]


@router.post("", status_code=201)
def create_token(request: TokenRequest, admin: Admin, services: ServicesDep) -> TokenIssued:
    """Issue a token; its secret is in this answer only."""
    if not admin.covers(request.conference):
        raise Forbidden()
    issued = services.tokens.issue(request.role, request.conference)
    return TokenIssued(token_id=issued.record.token_id, token=issued.token, role=request.role,
                       conference=request.conference)


@router.get("")
def read_tokens(admin: Admin, services: ServicesDep) -> TokenList:
    """List tokens without their secrets."""
    records = [r for r in services.tokens.list() if admin.covers(r.conference)]
    return TokenList(tokens=[TokenInfo.of(r) for r in records])


@router.delete("/{token_id}", status_code=204)
def delete_token(token_id: str, admin: Admin, services: ServicesDep) -> Response:
    """Revoke a token; it stops working at once."""
    record = services.tokens.get(token_id)
    if record is None or not admin.covers(record.conference):
        raise NotFound(f"no token {token_id!r}")
    services.tokens.revoke(token_id)
    return Response(status_code=204)
