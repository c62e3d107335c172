"""Fresh, throw-away stores for a benchmark run, and the machine they run on.

A SQLite store is a new file in a temporary directory; a PostgreSQL store is a new database on the
server, created with psycopg and dropped (connections and all) when the run is over.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Store:
    """A fresh store: its kind, its Confledger URL and (SQLite) its file."""

    kind: str
    url: str
    path: Path | None = None


@contextmanager
def fresh_store(kind: str, postgres_admin_url: str = DEFAULT_POSTGRES) -> Iterator[Store]:
    """An empty store of `kind` ("sqlite" or "postgres"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="confledger-bench-") as folder:
            path = Path(folder) / "bench.db"
            yield Store(kind, f"sqlite:///{path}", path)
        return
    if kind != "postgres":
        raise ValueError(f"unknown database {kind!r}: use sqlite or postgres")
    name = f"confledger_bench_{uuid.uuid4().hex[:12]}"
    _admin(postgres_admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Store(kind, f"{postgres_admin_url.rsplit('/', 1)[0]}/{name}")
    finally:
        _admin(postgres_admin_url,
               sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def settle(store: Store) -> None:
    """Write the database's dirty pages out now (PostgreSQL: CHECKPOINT; SQLite: the WAL into
    the database file), so that the write-back of the phases before does not run under the
    latency phases after. On PostgreSQL at 1M, a checkpoint the ingest had set off wrote for
    125 s, over every report's timing, and added 1-3 ms to their medians."""
    if store.kind == "postgres":
        with psycopg.connect(store.url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    else:
        with closing(sqlite3.connect(str(store.path))) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _admin(url: str, statement: sql.Composed) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def postgres_version(admin_url: str) -> str:
    try:
        with psycopg.connect(admin_url, connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError:
        return "unreachable"
    return str(row[0]) if row else "unknown"


def machine(postgres_admin_url: str) -> dict[str, str]:
    """What the figures were measured on, for the results header."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "RAM": f"{_memory_gib():.1f} GiB",
        "CPU": _cpu_model(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(postgres_admin_url),
        "commit": _commit(),
    }


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty else "")
