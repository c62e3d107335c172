"""The `confledger` command: tokens, demo seeding and `serve --demo` (uvicorn itself stubbed)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from api import cli, demo
from api.services import Services
from api.settings import Settings

Run = Callable[..., Any]


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `confledger ARGS...` against the test's store; the result has .exit_code/.output."""
    monkeypatch.setenv("CONFLEDGER_DATABASE_URL", database_url)
    monkeypatch.delenv("CONFLEDGER_BOOTSTRAP_TOKEN", raising=False)

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(cli.app, list(args))

    return invoke


@pytest.fixture
def store(database_url: str) -> Iterator[Services]:
    """Services of their own on the same store, to check what the command did."""
    services = Services.build(Settings(database_url=database_url))
    yield services
    services.close()


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo conference of 40 attendees instead of thousands, to keep the tests fast."""
    monkeypatch.setattr(demo, "generate_conference",
                        functools.partial(demo.generate_conference, attendees=40))


def test_token_create_prints_a_working_token_once(run: Run, store: Services) -> None:
    result = run("token", "create", "--role", "finance", "--conference", "pycon")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    principal = store.tokens.authenticate(token)
    assert principal is not None
    assert (principal.role, principal.conference) == ("finance", "pycon")


def test_token_create_refuses_an_unknown_role(run: Run) -> None:
    assert run("token", "create", "--role", "root").exit_code != 0


def test_token_list_shows_ids_but_no_secrets_and_revoke_ends_a_token(run: Run,
                                                                     store: Services) -> None:
    # Given a token made by the command
    token = run("token", "create", "--role", "viewer").output.strip().splitlines()[-1]
    token_id = store.tokens.list()[0].token_id
    # When tokens are listed, then the id shows and the secret does not
    listed = run("token", "list")
    assert token_id in listed.output and token not in listed.output
    # When it is revoked, then it no longer authenticates
    assert run("token", "revoke", token_id).exit_code == 0
    assert store.tokens.authenticate(token) is None
    assert run("token", "revoke", "tok_unknown").exit_code == 1


def test_demo_seeds_the_demo_conference_once(run: Run, store: Services, small_demo: None) -> None:
    # When the demo is seeded
    result = run("demo")
    # Then the demo conference is recorded and the command says how much it recorded
    assert result.exit_code == 0, result.output
    assert "demo events in" in result.output
    assert store.ledger.conference(cli.DEMO_SLUG) is not None
    head = store.head()
    # When it runs again, then it records nothing
    assert "already recorded" in run("demo").output
    assert store.head() == head


def test_serve_demo_seeds_then_prints_the_dashboard_and_an_admin_token(
        run: Run, store: Services, small_demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kwargs: served.update(kwargs, app=app))
    # When `serve --demo` starts
    result = run("serve", "--demo", "--port", "8123")
    # Then the demo is recorded, the app is served where asked, and the sign-in token is an admin's
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/manage/pycon-demo/reports/" in result.output
    token = result.output.split("Sign-in token:")[1].split()[0]
    principal = store.tokens.authenticate(token)
    assert principal is not None and (principal.role, principal.conference) == ("admin", None)
    assert store.ledger.conference(cli.DEMO_SLUG) is not None
