"""Bearer tokens: who may call the API, in which role, for which conference.

A token is random, shown once when issued and stored only as its SHA-256 hash; a presented token is
hashed and looked up by that hash, so the clear token never reaches the database or the logs. The
bootstrap token from the settings is an `admin` token for every conference: only its hash is kept,
and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from projections.db import Database

Role = Literal["ingest", "viewer", "finance", "auditor", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
TOKEN_PREFIX = "clt_"
BOOTSTRAP_ID = "bootstrap"
TABLE = "confledger_tokens"

_CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (token_id TEXT PRIMARY KEY, "
    "token_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, conference TEXT NULL, "
    "created_at TEXT NOT NULL, revoked_at TEXT NULL)"
)
_COLUMNS = "token_id, role, conference, created_at, revoked_at"


@dataclass(frozen=True)
class Principal:
    """The caller a valid token stands for; `conference` None means every conference."""

    token_id: str
    role: str
    conference: str | None

    def may(self, role: str) -> bool:
        """True when this token's role includes what `role` may do.

        Roles are ranked viewer < finance < auditor < admin; `ingest` only posts events, so
        only `ingest` and `admin` tokens may do what `ingest` may, and `ingest` nothing more.
        """
        if "ingest" in (role, self.role):
            return self.role in (role, "admin")
        return ROLES.index(self.role) >= ROLES.index(role)

    def covers(self, conference: str | None) -> bool:
        """True when this token reaches `conference` (None: all conferences)."""
        return self.conference is None or self.conference == conference


@dataclass(frozen=True)
class TokenRecord:
    """A stored token, without its secret."""

    token_id: str
    role: str
    conference: str | None
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the only moment its clear value is known."""

    record: TokenRecord
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


class TokenStore:
    """Issues, finds, lists and revokes tokens in the `confledger_tokens` table."""

    def __init__(self, database: Database, *, bootstrap: str | None = None):
        self.database = database
        self._bootstrap = _digest(bootstrap) if bootstrap else None

    def create_table(self) -> None:
        """Create the table if it does not exist yet (idempotent)."""
        self.database.execute(_CREATE_TABLE)

    def issue(self, role: str, conference: str | None = None) -> IssuedToken:
        """Create a token; its clear value is in the answer and nowhere else."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord("tok_" + secrets.token_hex(8), role, conference, _now(), None)
        self.database.execute(
            f"INSERT INTO {TABLE} (token_id, token_hash, role, conference, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (record.token_id, _digest(token), role, conference, record.created_at))
        return IssuedToken(record, token)

    def bootstrap(self, token: str) -> Principal | None:
        """The bootstrap principal if `token` is the bootstrap token, else None (no database
        read, so it can run on the event loop)."""
        if self._bootstrap is not None and hmac.compare_digest(_digest(token), self._bootstrap):
            return Principal(BOOTSTRAP_ID, "admin", None)
        return None

    def authenticate(self, token: str) -> Principal | None:
        """The principal `token` stands for, or None if it is unknown or revoked."""
        principal = self.bootstrap(token)
        if principal is not None:
            return principal
        digest = _digest(token)
        rows = self.database.query(
            f"SELECT token_id, token_hash, role, conference FROM {TABLE} "
            "WHERE token_hash = ? AND revoked_at IS NULL", (digest,))
        for token_id, stored, role, conference in rows:
            if hmac.compare_digest(stored, digest):
                return Principal(token_id, role, conference)
        return None

    def get(self, token_id: str) -> TokenRecord | None:
        rows = self.database.query(f"SELECT {_COLUMNS} FROM {TABLE} WHERE token_id = ?",
                                   (token_id,))
        return TokenRecord(*rows[0]) if rows else None

    def list(self) -> list[TokenRecord]:
        """Every stored token, oldest first, revoked ones included."""
        rows = self.database.query(f"SELECT {_COLUMNS} FROM {TABLE} "
                                   "ORDER BY created_at, token_id")
        return [TokenRecord(*row) for row in rows]

    def revoke(self, token_id: str) -> bool:
        """Revoke a token at once; False if there is no such token. Revoking twice is harmless."""
        if self.get(token_id) is None:
            return False
        self.database.execute(
            f"UPDATE {TABLE} SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            (_now(), token_id))
        return True
