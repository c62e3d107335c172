"""Settings, read once from the environment, and the eventsourcing environment they imply.

`CONFLEDGER_DATABASE_URL` picks the store: `sqlite:///PATH` (default `./confledger.db`) or
`postgresql://USER[:PASS]@HOST[:PORT]/DB`. Everything else has a sensible default.
"""

from __future__ import annotations

import secrets
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from projections.runner import PAGE


class Settings(BaseSettings):
    """Confledger's configuration (environment variables prefixed `CONFLEDGER_`)."""

    model_config = SettingsConfigDict(env_prefix="CONFLEDGER_")

    database_url: str = "sqlite:///./confledger.db"
    bootstrap_token: str | None = Field(default=None, repr=False)
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    session_max_age: int = 8 * 3600
    max_batch_events: int = 1000
    max_body_bytes: int = 5 * 1024 * 1024
    min_position_wait: float = 5.0
    poll_interval: float = 0.05
    projector_page: int = Field(default=PAGE, ge=1, le=100_000)
    postgres_pool_size: int = 10

    @field_validator("database_url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("use sqlite:///PATH or postgresql://USER@HOST[:PORT]/DB")
        return value

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite:")

    def eventsourcing_env(self, *, create_tables: bool = True) -> dict[str, str]:
        """The environment mapping the eventsourcing library reads to build its recorders."""
        env = {"CREATE_TABLE": "y" if create_tables else "n"}
        if not self.is_postgres:
            return env | {
                "PERSISTENCE_MODULE": "projections.eventlog.sqlite:Factory",
                "SQLITE_DBNAME": self.database_url.removeprefix("sqlite:///"),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        url = urlsplit(self.database_url)
        return env | {
            "PERSISTENCE_MODULE": "projections.eventlog.postgres:Factory",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": str(self.postgres_pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }
