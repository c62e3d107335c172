"""The results as markdown: machine, sizes, one table of figures and one of report latencies per
database, and the command that reproduces them. A figure that misses its target is marked ✗.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.measure import Figure, Latency, Result, number

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
REPORT_P95_MS = 50.0
AS_OF_P95_MS = 2000.0
GROWTH_LIMIT = 2.0
NOISE = ("Figures come from a shared 2-core machine (other work ran beside the benchmark), so they "
         "are noisy: rates are single runs unless marked as a median, latencies are percentiles "
         "of repeated requests (up to 30 each, fewer for slow ones); rerun before drawing fine "
         "conclusions. ✗ marks a figure that misses its target.")


def render(results: Sequence[Result], machine: dict[str, str], command: str) -> str:
    """The whole results document."""
    lines = ["# Confledger performance", "", f"Measured with `{command}`.", "", NOISE, "",
             "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in machine.items()]
    lines += ["", "## Sizes", "",
              "| database | size | events in the conference | events in the log at catch-up |",
              "| --- | --- | ---: | ---: |"]
    for result in results:
        total = result.figure("events in the log")
        lines.append(f"| {DATABASES.get(result.database, result.database)} | {result.size} | "
                     f"{result.events:,} | {_value(total.value) if total else ''} |")
    for database in dict.fromkeys(r.database for r in results):
        mine = [r for r in results if r.database == database]
        lines += ["", f"## {DATABASES.get(database, database)}", ""]
        lines += [*figure_table(mine), "", *latency_table(mine)]
    lines += ["", "## Reproduce", "", "```bash", command, "```", ""]
    return "\n".join(lines)


def figure_table(results: Sequence[Result]) -> list[str]:
    """One row per figure, one column per size."""
    names = list(dict.fromkeys(f.name for r in results for f in r.figures
                               if f.name != "events in the log"))
    lines = ["| figure | unit | target | " + " | ".join(r.size for r in results) + " |",
             "| --- | --- | --- |" + " ---: |" * len(results)]
    for name in names:
        found = [r.figure(name) for r in results]
        first = next(f for f in found if f is not None)
        cells = [_cell(f) for f in found]
        lines.append(f"| {name} | {first.unit} | {first.target} | " + " | ".join(cells) + " |")
    return lines


def latency_table(results: Sequence[Result]) -> list[str]:
    """One row per endpoint: p50 / p95 / p99 ms per size, and the p95 growth across sizes."""
    endpoints = list(dict.fromkeys(e for r in results for e in r.latencies))
    growth = f"p95 {results[-1].size} / {results[0].size}" if len(results) > 1 else ""
    lines = ["| report (ms: p50 / p95 / p99) | target p95 | "
             + " | ".join(r.size for r in results) + (f" | {growth} |" if growth else " |"),
             "| --- | --- |" + " ---: |" * (len(results) + bool(growth))]
    for endpoint in endpoints:
        found = [r.latencies.get(endpoint) for r in results]
        limit = p95_limit(endpoint)
        row = (f"| {endpoint} | {'≤ ' + number(limit) if limit else ''} | "
               + " | ".join(_latency_cell(lat, limit) for lat in found))
        if growth:
            row += " | " + _growth(found[0], found[-1], endpoint)
        lines.append(row + " |")
    return lines


def p95_limit(endpoint: str) -> float | None:
    """The p95 target of an endpoint: JSON reports 50 ms, as-of replays 2 s, CSV none."""
    if endpoint.endswith(".csv"):
        return None
    return AS_OF_P95_MS if endpoint.endswith("(as_of)") else REPORT_P95_MS


def growth_ratio(small: Latency | None, large: Latency | None) -> float | None:
    if small is None or large is None or not small.p95 or large.p95 is None:
        return None
    return large.p95 / small.p95


def _growth(small: Latency | None, large: Latency | None, endpoint: str) -> str:
    ratio = growth_ratio(small, large)
    if ratio is None:
        return "–"
    held = p95_limit(endpoint) == REPORT_P95_MS
    return f"×{ratio:.2f}" + (" ✗" if held and ratio > GROWTH_LIMIT else "")


def _latency_cell(latency: Latency | None, limit: float | None) -> str:
    if latency is None:
        return "–"
    if latency.error:
        return f"error ({latency.error})"
    if latency.p95 is None:
        return "–"
    mark = " ✗" if limit is not None and latency.p95 > limit else ""
    return (f"{number(latency.p50 or 0)} / {number(latency.p95)} / "
            f"{number(latency.p99 or 0)}{mark}")


def _cell(figure: Figure | None) -> str:
    if figure is None:
        return "–"
    return _value(figure.value) + (" ✗" if figure.met is False else "")


def _value(value: float | None) -> str:
    return "–" if value is None else number(value)
