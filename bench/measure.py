"""What a benchmark run yields: figures (one number against an optional target) and latencies.

Every measuring module returns these; `bench.table` lays them out. Percentiles use the nearest-rank
method, which needs no interpolation and is exact for the small samples a report run takes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One measured number, its unit and the target it is held to (if any)."""

    name: str
    value: float | None
    unit: str = ""
    at_least: float | None = None
    at_most: float | None = None

    @property
    def target(self) -> str:
        if self.at_least is not None:
            return f"≥ {number(self.at_least)}"
        if self.at_most is not None:
            return f"≤ {number(self.at_most)}"
        return ""

    @property
    def met(self) -> bool | None:
        """True/False against the target; None when there is no target or no value."""
        if self.value is None or (self.at_least is None and self.at_most is None):
            return None
        if self.at_least is not None and self.value < self.at_least:
            return False
        return not (self.at_most is not None and self.value > self.at_most)


@dataclass(frozen=True)
class Latency:
    """Request latencies of one endpoint, in milliseconds, or the error that stopped it."""

    samples_ms: tuple[float, ...] = ()
    error: str | None = None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        return cls(tuple(s * 1000 for s in seconds))

    def percentile(self, p: float) -> float | None:
        return percentile(self.samples_ms, p)

    @property
    def p50(self) -> float | None:
        return self.percentile(50)

    @property
    def p95(self) -> float | None:
        return self.percentile(95)

    @property
    def p99(self) -> float | None:
        return self.percentile(99)


@dataclass
class Result:
    """Everything measured on one database at one size."""

    database: str
    size: str
    events: int
    figures: list[Figure] = field(default_factory=list)
    latencies: dict[str, Latency] = field(default_factory=dict)

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)


def percentile(samples: Sequence[float], p: float) -> float | None:
    """The nearest-rank `p`th percentile of `samples` (None when there are none)."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float | None:
    return percentile(samples, 50)


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def number(value: float) -> str:
    """A figure for people: thousands separated, one decimal below 100, none above."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
