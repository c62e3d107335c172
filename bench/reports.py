"""Report latency over HTTP: every report's JSON (and CSV, for the streamed exports), and the
as-of replays of `financial` and `reconciliation`.

Each endpoint gets one warm-up request, then up to `reps` timed ones; a slow endpoint stops after
`budget` seconds once it has `min_reps` samples, so a large size cannot run for hours. A report
that answers with an error is recorded as that error (the table shows it) rather than stopping
the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.measure import Latency
from projections.catalogue import reports

AS_OF_REPORTS = ("financial", "reconciliation")


@dataclass(frozen=True)
class Repeats:
    """How many times to ask, and for how long at most."""

    reps: int = 30
    budget: float = 20.0
    min_reps: int = 5
    warm_up: bool = True


def time_requests(client: httpx.Client, path: str, repeats: Repeats,
                  params: dict[str, str] | None = None) -> Latency:
    """Latencies of GET `path` (body read in full), or the first error it answered."""
    seconds: list[float] = []
    started = time.perf_counter()
    for attempt in range(repeats.reps + repeats.warm_up):
        began = time.perf_counter()
        response = client.get(path, params=params)
        took = time.perf_counter() - began
        if response.status_code != 200:
            return Latency(error=f"HTTP {response.status_code}: {_title(response)}")
        if attempt or not repeats.warm_up:
            seconds.append(took)
        spent = time.perf_counter() - started
        if spent > repeats.budget and len(seconds) >= min(repeats.min_reps, repeats.reps):
            break
    return Latency.of(seconds)


def _title(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.text[:80]
    return str(problem.get("title") or problem.get("detail"))[:80]


def measure_reports(client: httpx.Client, slug: str, repeats: Repeats,
                    advance: Callable[[str], None] = lambda _name: None) -> dict[str, Latency]:
    """Every report's JSON latency, plus the CSV latency of reports that stream their rows."""
    base = f"/api/v1/conferences/{slug}/reports"
    found: dict[str, Latency] = {}
    for name, report in reports().items():
        advance(name)
        found[name] = time_requests(client, f"{base}/{name}", repeats)
        if report.csv_rows is not None:
            found[f"{name}.csv"] = time_requests(client, f"{base}/{name}.csv", repeats)
    return found


def measure_as_of(client: httpx.Client, slug: str, day: str, repeats: Repeats,
                  advance: Callable[[str], None] = lambda _name: None) -> dict[str, Latency]:
    """Latency of `financial` and `reconciliation` as of `day` (replays of the log)."""
    base = f"/api/v1/conferences/{slug}/reports"
    found: dict[str, Latency] = {}
    for name in AS_OF_REPORTS:
        if name in reports():
            advance(f"{name} as of {day}")
            found[f"{name} (as_of)"] = time_requests(client, f"{base}/{name}", repeats,
                                                     {"as_of": day})
    return found
