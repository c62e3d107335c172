"""Fixtures for security tests: a store with two configured conferences and one token per role.

`pycon` is the callers' own conference (an order `o1` placed there), `other` is configured too, and
`ghost` was never configured: a refusal must read the same for `other` and `ghost`. Figures
(hostile inputs tried, matrix cells checked) are printed in the terminal summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from api.auth import ROLES
from api.services import Services
from tests.factories import configure_conference, define_ticket, place_order

OWN, OTHER, GHOST = "pycon", "other", "ghost"
FIGURES: Counter[str] = Counter()  # what was tried → how many times, over the whole run


@dataclass(frozen=True)
class Caller:
    """Who calls: a label, the clear token (None: no token) and what it may do."""

    label: str
    token: str | None
    role: str | None = None
    conference: str | None = None
    revoked: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@pytest.fixture
def callers(services: Services) -> list[Caller]:
    """One token per role for `pycon`, an admin for all conferences, a revoked admin token and
    no token at all."""
    scoped = [Caller(f"{role}@{OWN}", services.tokens.issue(role, OWN).token, role, OWN)
              for role in ROLES]
    revoked = services.tokens.issue("admin")
    services.tokens.revoke(revoked.record.token_id)
    return [*scoped, Caller("admin@all", services.tokens.issue("admin").token, "admin"),
            Caller("revoked-admin", revoked.token, "admin", revoked=True),
            Caller("no-token", None)]


@pytest.fixture
def conferences(services: Services) -> None:
    """`pycon` with a ticket and order o1, and `other`, both configured."""
    now = datetime.now(UTC)
    services.record(OWN, [configure_conference(id="conf-pycon"), define_ticket(id="tt-pycon"),
                          place_order(order_id="o1", id="placed-o1")], now=now)
    services.record(OTHER, [configure_conference(id="conf-other", name="Other")], now=now)


@pytest.fixture
def tally() -> Callable[[str, int], None]:
    """`tally("hostile bodies refused", 3)` counts toward the run's security figures."""

    def add(what: str, count: int = 1) -> None:
        FIGURES[what] += count

    return add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("security figures (both databases)")
        for what, count in FIGURES.items():
            terminalreporter.write_line(f"{what}: {count}")
