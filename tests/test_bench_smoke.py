"""The benchmark script runs end to end at a tiny size and writes its table (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.run import main


def test_bench_runs_at_a_tiny_size_and_writes_its_results_table(tmp_path: Path) -> None:
    # given a tiny conference on SQLite, with one timed request per report
    out = tmp_path / "results.md"

    # when the benchmark runs every phase
    results = main(["--sizes", "2k", "--databases", "sqlite", "--quick", "--reps", "1",
                    "--single-events", "300", "--live-events", "800", "--no-per-model",
                    "--out", str(out), "--logs", str(tmp_path / "logs")])

    # then it measured that one run and wrote the markdown table with every section
    assert [(r.database, r.size) for r in results] == [("sqlite", "2k")]
    table = out.read_text()
    for heading in ("## Machine", "## Sizes", "## SQLite", "## Reproduce",
                    "| ingest: batches of 500 |", "| raw floor: executemany 250/tx |",
                    "| catch-up: all read models together |", "| attendees |"):
        assert heading in table
