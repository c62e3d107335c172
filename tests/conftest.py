"""Shared fixtures: every test that touches the store runs on SQLite and on PostgreSQL.

`database_url` is parametrised over both. SQLite gets a new file in the test's tmp_path; PostgreSQL
gets a database per test module, created through `CONFLEDGER_TEST_POSTGRES` (default: the local
server as user postgres), emptied before each test and dropped after the module. Without a
reachable PostgreSQL the postgres half is skipped on a developer's machine and fails in CI
(`CI=true`), where a silent skip would hide a failure.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.services import Services
from api.settings import Settings
from ledger.application import Ledger

pytest.register_assert_rewrite("tests.api.problems")

with warnings.catch_warnings():  # Starlette's TestClient warns on import while it moves off httpx
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

POSTGRES_ADMIN_URL = os.environ.get("CONFLEDGER_TEST_POSTGRES",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")
BOOTSTRAP_TOKEN = "bootstrap-admin-token-for-tests"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The maintenance database's URL once PostgreSQL answers; else skip (fail in CI)."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


def _run(url: str, statement: sql.Composable, params: tuple[object, ...] = ()) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement, params)


@pytest.fixture(scope="module")
def postgres_module_url(postgres_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database for one test module, dropped (connections and all) after it."""
    name = f"confledger_test_{uuid.uuid4().hex[:16]}"
    _run(postgres_admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"{postgres_admin_url.rsplit('/', 1)[0]}/{name}"
    _run(postgres_admin_url,
         sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def postgres_url(postgres_module_url: str) -> str:
    """The module's PostgreSQL database, emptied: its public schema dropped and made anew.

    Emptying is several times faster than creating a database per test; connections a previous
    test left open are ended first so that nothing holds a lock on the schema.
    """
    with psycopg.connect(postgres_module_url, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return postgres_module_url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'confledger.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings on the test's store, with a known bootstrap token."""
    return Settings(database_url=database_url, bootstrap_token=BOOTSTRAP_TOKEN,
                    secret_key="test-secret-key")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The process's services on the test's store, closed after the test."""
    built = Services.build(settings)
    yield built
    built.close()


@pytest.fixture
def ledger(services: Services) -> Ledger:
    return services.ledger


@pytest.fixture
def app(settings: Settings, services: Services) -> FastAPI:
    return create_app(settings, services=services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client on the app, without credentials (pass `headers=`)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_token(services: Services) -> Callable[..., str]:
    """Issue a token: `make_token("viewer", conference="pycon")` → its clear value."""

    def make(role: str, conference: str | None = None) -> str:
        return services.tokens.issue(role, conference).token

    return make


@pytest.fixture
def admin_token(make_token: Callable[..., str]) -> str:
    """A stored admin token for all conferences."""
    return make_token("admin")


@pytest.fixture
def admin_headers(admin_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}
