"""Streamed CSV exports of the largest tables: rows per second and the API process's memory.

Memory is the resident set of the uvicorn process, read from /proc: a thread samples `VmRSS`
every few milliseconds while the export streams, and the kernel's own high-water mark (`VmHWM`,
reset through `clear_refs` where allowed) catches peaks between samples. The figure is the peak
above the resident set just before the request: a streamed export keeps it flat.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Self

import httpx

from bench.measure import Figure, median, per_second
from projections.catalogue import reports

ATTENDEES = "attendees"
ORDER_LIKE = ("orders", "refunds", "credits")
MEMORY_TARGET_MB = 50.0


def order_export() -> str | None:
    """The order-like report with a streamed CSV, by preference."""
    streamed = {name for name, report in reports().items() if report.csv_rows is not None}
    return next((name for name in ORDER_LIKE if name in streamed), None)


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_high_water_mark(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class MemorySampler:
    """Samples a process's resident set in a thread; `peak_kib` is the largest seen."""

    def __init__(self, pid: int, interval: float = 0.005):
        self.pid = pid
        self.interval = interval
        self.baseline_kib = _status_kib(pid, "VmRSS") or 0
        self.peak_kib = self.baseline_kib
        self._hwm = _reset_high_water_mark(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._hwm:
            self.peak_kib = max(self.peak_kib, _status_kib(self.pid, "VmHWM") or 0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, _status_kib(self.pid, "VmRSS") or 0)
            time.sleep(self.interval)

    @property
    def above_baseline_mb(self) -> float:
        return (self.peak_kib - self.baseline_kib) / 1024


def stream_csv(client: httpx.Client, path: str) -> tuple[int, float]:
    """Download a CSV in chunks as it streams; return (data rows, seconds)."""
    lines = 0
    started = time.perf_counter()
    with client.stream("GET", path) as response:
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\r\n")
    return max(0, lines - 1), time.perf_counter() - started


def measure_export(client: httpx.Client, server_pid: int, slug: str, name: str,
                   repeats: int = 3) -> list[Figure]:
    """Rows/s (median of `repeats`) and peak server memory above baseline of `name`.csv."""
    path = f"/api/v1/conferences/{slug}/reports/{name}.csv"
    rates, peaks, rows, baseline = [], [], 0, 0.0
    for _ in range(repeats):
        with MemorySampler(server_pid) as memory:
            rows, seconds = stream_csv(client, path)
        rates.append(per_second(rows, seconds))
        peaks.append(memory.above_baseline_mb)
        baseline = memory.baseline_kib / 1024
    return [Figure(f"CSV {name}.csv: rows", rows, "rows"),
            Figure(f"CSV {name}.csv: rows/s", median(rates), "rows/s"),
            Figure(f"CSV {name}.csv: API process memory before", baseline, "MB"),
            Figure(f"CSV {name}.csv: API process peak above that", max(peaks), "MB",
                   at_most=MEMORY_TARGET_MB)]
