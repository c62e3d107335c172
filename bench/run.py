"""The benchmark: `python -m bench.run [--sizes 10k,100k,1m] [--databases ...] [--quick]`.

For each size and database, on a fresh store, one run measures in this order: batched HTTP ingest
of a demo conference of that size; single-event ingest from 8 concurrent clients (a second, small
conference); the raw floor (the stored payloads inserted straight into the same database);
projector catch-up from empty (each read model, then all); ingest of a third conference while
`confledger project` follows; every report's latency; as-of replays; streamed CSV exports. The
results go to `--out` after every completed run (markdown) and to the terminal at the end.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from bench.databases import DEFAULT_POSTGRES, fresh_store, machine
from bench.measure import Result
from bench.options import Options
from bench.phases import Phases
from bench.reports import Repeats
from bench.stages import measure_store
from bench.table import render

SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> tuple[str, int]:
    """"10k" → ("10k", 10000); plain numbers work too."""
    label = text.strip().lower()
    if label and label[-1] in SUFFIXES:
        return label, int(float(label[:-1]) * SUFFIXES[label[-1]])
    return label, int(label)


def options_from(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", help="event counts, e.g. 10k,100k,1m (default: 10k,100k,1m; "
                                        "with --quick: 10k)")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--quick", action="store_true", help="10k only, few repeats (develop)")
    parser.add_argument("--out", type=Path, default=Path("bench/results.md"))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="maintenance database; each run creates and drops its own")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reps", type=int, help="timed requests per report (default 30; quick 5)")
    parser.add_argument("--single-events", type=int,
                        help="size of the single-event conference (default 4000; quick 1000)")
    parser.add_argument("--live-events", type=int,
                        help="most events ingested while projecting (default 20000; quick 2000)")
    parser.add_argument("--logs", type=Path, help="folder for the API and projector logs "
                                                   "(default: a new temporary folder)")
    parser.add_argument("--no-per-model", action="store_true",
                        help="skip catch-up of each read model alone")
    args = parser.parse_args(argv)
    quick = args.quick
    reps = args.reps or (5 if quick else 30)
    return Options(
        sizes=tuple(parse_size(s) for s in (args.sizes or ("10k" if quick else "10k,100k,1m"))
                    .split(",")),
        databases=tuple(d.strip() for d in args.databases.split(",")),
        out=args.out, postgres_url=args.postgres_url, seed=args.seed, clients=8,
        single_events=args.single_events or (1000 if quick else 4000),
        live_events=args.live_events or (2000 if quick else 20_000),
        per_model=not args.no_per_model,
        logs=args.logs or Path(tempfile.mkdtemp(prefix="confledger-bench-logs-")),
        repeats=Repeats(reps=reps, budget=5.0 if quick else 20.0),
        as_of_repeats=Repeats(reps=min(reps, 2 if quick else 5), budget=60.0, min_reps=2,
                              warm_up=False),
        export_repeats=1 if quick else 3)


def main(argv: Sequence[str] | None = None) -> list[Result]:
    options = options_from(argv)
    command = "python -m bench.run " + shlex.join(list(argv if argv is not None else sys.argv[1:]))
    console = Console(stderr=True)
    about = machine(options.postgres_url)
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    results: list[Result] = []
    failed = []
    logs = options.logs
    logs.mkdir(parents=True, exist_ok=True)
    console.print(f"Process logs: {logs}")
    with Phases(console) as phases:
        for label, target in options.sizes:
            for kind in options.databases:
                phases.title(f"{kind} {label}")
                try:
                    with fresh_store(kind, options.postgres_url) as store:
                        results.append(measure_store(store, label, target, options, now, phases,
                                                     logs))
                except Exception:
                    console.print_exception()
                    failed.append(f"{kind} {label}")
                write(options.out, results, about, command)
    text = render(_ordered(results), about, command)
    Console().print(Markdown(text))
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)} (logs in {logs})")
    return results


def _ordered(results: list[Result]) -> list[Result]:
    """By database, then by size (runs go size by size so that small sizes finish first)."""
    kinds = list(dict.fromkeys(r.database for r in results))
    return sorted(results, key=lambda r: (kinds.index(r.database), r.events))


def write(out: Path, results: list[Result], about: dict[str, str], command: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(_ordered(results), about, command))


if __name__ == "__main__":
    main()
