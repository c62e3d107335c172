"""The three packages depend one way only: api → projections → ledger (import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_packages_import_in_one_direction_only() -> None:
    # Given the layers contract in pyproject.toml, when import-linter checks the code,
    # then no lower layer imports a higher one (the ledger imports neither api nor projections).
    program = ("import sys; from importlinter.cli import lint_imports; "
               "sys.exit(lint_imports(config_filename='pyproject.toml'))")
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout, result.stdout


def test_ledger_reads_no_environment_and_speaks_no_sql() -> None:
    # The domain is pure: no os.environ, no SQL statements, no HTTP.
    for path in (ROOT / "ledger").glob("*.py"):
        text = path.read_text()
        for forbidden in ("os.environ", "getenv", "SELECT ", "INSERT ", "fastapi", "psycopg"):
            assert forbidden not in text, f"{path.name} mentions {forbidden!r}"


def test_code_is_ruff_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "ledger", "projections", "api",
                             "bench", "tests"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_mypy_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "ledger", "projections", "api"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
