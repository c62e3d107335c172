"""The options of a benchmark run: what to measure and how hard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.reports import Repeats


@dataclass(frozen=True)
class Options:
    """What to measure and how hard."""

    sizes: tuple[tuple[str, int], ...]
    databases: tuple[str, ...]
    out: Path
    postgres_url: str
    seed: int
    clients: int
    single_events: int
    live_events: int
    per_model: bool
    logs: Path
    repeats: Repeats
    as_of_repeats: Repeats
    export_repeats: int
